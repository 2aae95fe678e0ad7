"""Turning MNIST's uint8 arrays into network input, and the labels into one-hot targets.

Each normalisation is affine, x * scale + offset on raw 0-255 pixels, so a saved model can
carry it as a Rescaling layer and take raw pixels (see pyimagesearch.nn.inference).
"""

import numpy as np

DATA_FORMATS = ("channels_last", "channels_first")


def scale_pixels(images):
    """The book's scaling: pixels from [0, 255] to [0, 1] as float32. Affine: (1/255, 0)."""
    return images.astype("float32") / 255.0


def standardisation(train_images):
    """Seed 003's (x - mean) / (std + 1e-7) with the training set's statistics, as (scale, offset)."""
    mean = float(np.mean(train_images, dtype=np.float64))
    std = float(np.std(train_images, dtype=np.float64))
    scale = 1.0 / (std + 1e-7)
    return scale, -mean * scale


def apply_affine(images, scale, offset):
    return (images.astype("float32") * np.float32(scale) + np.float32(offset)).astype("float32")


def add_channel_axis(images, data_format):
    """(N, H, W) -> (N, H, W, 1) for channels_last, (N, 1, H, W) for channels_first."""
    if data_format not in DATA_FORMATS:
        raise ValueError(f"data_format must be one of {DATA_FORMATS}, got {data_format!r}")
    axis = 1 if data_format == "channels_first" else -1
    return np.expand_dims(images, axis=axis)


def one_hot(train_labels, test_labels):
    """One-hot with scikit-learn: fit on the training labels, the same encoding for the test
    labels. Returns (train, test, classes)."""
    from sklearn.preprocessing import LabelBinarizer

    label_binarizer = LabelBinarizer()
    train = label_binarizer.fit_transform(train_labels).astype("float32")
    test = label_binarizer.transform(test_labels).astype("float32")
    return train, test, label_binarizer.classes_


def network_input(split, data_format, standardise=True):
    """MNIST's uint8 split ((train_x, train_y), (test_x, test_y)) as a network takes it:
    images with a channel axis, standardised with the training set's mean and std (or raw
    0-255 for a model that maps pixels itself), and one-hot labels.

    Returns ((train_x, train_y_1hot), (test_x, test_y_1hot)), classes, (scale, offset); a
    saved model carries (scale, offset) so that it takes raw pixels."""
    (train_x, train_y), (test_x, test_y) = split
    scale, offset = standardisation(train_x) if standardise else (1.0, 0.0)
    train_y_1hot, test_y_1hot, classes = one_hot(train_y, test_y)
    data = ((add_channel_axis(apply_affine(train_x, scale, offset), data_format), train_y_1hot),
            (add_channel_axis(apply_affine(test_x, scale, offset), data_format), test_y_1hot))
    return data, classes, (scale, offset)
