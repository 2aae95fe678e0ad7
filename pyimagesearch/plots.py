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


def _per_epoch_figure(history, key, label):
    from matplotlib import style
    from matplotlib.figure import Figure

    # Epochs numbered from 1, as seed 003's plots do.
    epochs = np.arange(1, len(history[key]) + 1)
    with style.context("ggplot"):
        fig = Figure()
        ax = fig.subplots()
        ax.plot(epochs, history[key], "o-", label=f"Train {label}")
        ax.plot(epochs, history["val_" + key], "x-", label=f"Validation {label}")
        ax.set_title(f"Training/Validation {label} per Epoch")
        ax.set_xlabel("Epoch")
        ax.set_ylabel(label)
        ax.legend(loc="best")
    return fig


def accuracy_figure(history):
    return _per_epoch_figure(history, "accuracy", "accuracy")


def loss_figure(history):
    return _per_epoch_figure(history, "loss", "loss")


def error_figure(history):
    """Training and test error (%) per pass, as the paper's Fig. 5 shows them."""
    from matplotlib import style
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    passes = np.arange(1, len(history["accuracy"]) + 1)
    with style.context("ggplot"):
        fig = Figure()
        ax = fig.subplots()
        # Keras' training accuracy is the running mean over the pass, as the weights change.
        ax.plot(passes, 100 * (1 - np.asarray(history["accuracy"])), "o-",
                label="Training error (during the pass)")
        ax.plot(passes, 100 * (1 - np.asarray(history["val_accuracy"])), "x-",
                label="Test error (after the pass)")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_yticks([0.2, 0.5, 1, 2, 5, 10])
        ax.set_title("Error rate per pass")
        ax.set_xlabel("Training pass (epoch)")
        ax.set_ylabel("Error (%)")
        ax.legend(loc="best")
        fig.tight_layout()
    return fig


def sample_images_figure(images, labels, count=6):
    """The first `count` images in a row, each titled with its label (seed 003)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2 * count, 2.4))
    for i, ax in enumerate(fig.subplots(1, count)):
        ax.imshow(images[i], cmap="gray")
        ax.set_title(str(labels[i]))
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def pixel_values_figure(image):
    """One digit with every pixel's value written on it (seed 003)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 12))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.98)
    ax = fig.subplots()
    ax.imshow(image, cmap="gray")
    threshold = image.max() / 2.5
    whole = np.issubdtype(image.dtype, np.integer)
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            value = image[row, col]
            text = str(int(value)) if whole else str(round(float(value), 2))
            ax.annotate(text, xy=(col, row), ha="center", va="center", fontsize=7,
                        color="white" if value < threshold else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def misclassified_figure(images, truth, predicted, limit=100):
    """Up to `limit` misclassified digits in a 10-wide grid: true label blue, predicted red (seed 002)."""
    from matplotlib.figure import Figure

    wrong = np.flatnonzero(truth != predicted)[:limit]
    rows = max(1, int(np.ceil(len(wrong) / 10)))
    fig = Figure(figsize=(10, rows))
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1, wspace=0.05, hspace=0.05)
    for slot in range(rows * 10):
        ax = fig.add_subplot(rows, 10, slot + 1)
        ax.axis("off")
        if slot < len(wrong):
            i = wrong[slot]
            ax.imshow(255 - images[i], cmap="gray")  # dark ink on white, as printed
            ax.text(0, 4, str(truth[i]), fontsize=12, color="blue")
            ax.text(20, 4, str(predicted[i]), fontsize=12, color="red")
    return fig


def confusion_matrix_figure(truth, predicted, class_names):
    from matplotlib.figure import Figure
    from sklearn.metrics import ConfusionMatrixDisplay

    fig = Figure(figsize=(7, 6))
    ax = fig.subplots()
    ConfusionMatrixDisplay.from_predictions(truth, predicted, labels=range(len(class_names)),
                                            display_labels=class_names, ax=ax, colorbar=False,
                                            cmap="Blues")
    ax.set_title("Confusion matrix (test set)")
    return fig


def accuracy_by_epoch_figure(curves, title="Test accuracy per epoch"):
    """One line per setting: {label: test accuracy after each epoch} (seed 004's sweeps)."""
    from matplotlib import style
    from matplotlib.figure import Figure

    with style.context("ggplot"):
        fig = Figure(figsize=(8, 5))
        ax = fig.subplots()
        for label, accuracy in curves.items():
            ax.plot(np.arange(1, len(accuracy) + 1), 100 * np.asarray(accuracy), "o-", label=label)
        ax.set_title(title)
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Test accuracy (%)")
        ax.legend(loc="lower right")
    return fig


def loss_curves_figure(curves, title="Training loss during the first epoch"):
    """One line per setting: {label: (samples seen, loss of that batch)} (seed 004)."""
    from matplotlib import style
    from matplotlib.figure import Figure

    with style.context("ggplot"):
        fig = Figure(figsize=(8, 5))
        ax = fig.subplots()
        for label, (seen, loss) in curves.items():
            ax.plot(seen, loss, linewidth=0.8, alpha=0.8, label=label)
        ax.set_title(title)
        ax.set_xlabel("Training images seen")
        ax.set_ylabel("Loss of the batch")
        ax.legend(loc="upper right")
    return fig


def prediction_grid_figure(images, truth, predicted, columns=16, title=None):
    """Images in a grid, each captioned true/predicted, wrong predictions in red (seed 004)."""
    from matplotlib.figure import Figure

    rows = max(1, int(np.ceil(len(images) / columns)))
    fig = Figure(figsize=(columns * 0.75, rows * 0.9 + 0.6))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.5 / (rows * 0.9 + 0.6),
                        wspace=0.1, hspace=0.45)
    for slot in range(rows * columns):
        ax = fig.add_subplot(rows, columns, slot + 1)
        ax.axis("off")
        if slot < len(images):
            ax.imshow(images[slot], cmap="gray")
            wrong = truth[slot] != predicted[slot]
            ax.set_title(f"{truth[slot]}/{predicted[slot]}", fontsize=8,
                         color="red" if wrong else "black", pad=2)
    correct = int(np.sum(np.asarray(truth) == np.asarray(predicted)))
    fig.suptitle(f"{title + ': ' if title else ''}{correct}/{len(images)} correct", fontsize=10)
    return fig
