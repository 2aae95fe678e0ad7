from .mnist import MNISTError, load_mnist

__all__ = ["MNISTError", "load_mnist"]
