"""Figures, drawn headless (no display needed) and written atomically."""

import numpy as np

from .cli import atomic_output


def training_figure(history, title="Training Loss and Accuracy"):
    """The book's figure: train/val loss and accuracy against epoch, ggplot style.

    `history` is a Keras History.history dict (keys loss, val_loss, accuracy, val_accuracy).
    """
    # Figure (not pyplot) renders off-screen without choosing a GUI backend.
    from matplotlib import style
    from matplotlib.figure import Figure

    epochs = np.arange(0, len(history["loss"]))
    with style.context("ggplot"):
        fig = Figure()
        ax = fig.subplots()
        for key, label in (
            ("loss", "train_loss"),
            ("val_loss", "val_loss"),
            ("accuracy", "train_acc"),
            ("val_accuracy", "val_acc"),
        ):
            if key in history:
                ax.plot(epochs, history[key], label=label)
        ax.set_title(title)
        ax.set_xlabel("Epoch #")
        ax.set_ylabel("Loss/Accuracy")
        ax.legend()
    return fig


def save_figure(fig, path):
    with atomic_output(path) as tmp:
        fig.savefig(tmp)


def plot_training(history, path):
    save_figure(training_figure(history), path)
