"""Helpers for the LeNet-on-MNIST reproduction, laid out as in the book's pyimagesearch package."""
