"""Turning MNIST's uint8 arrays into network input."""

import numpy as np

DATA_FORMATS = ("channels_last", "channels_first")


def scale_pixels(images):
    """The book's scaling: pixels from [0, 255] to [0, 1] as float32."""
    return images.astype("float32") / 255.0


def add_channel_axis(images, data_format):
    """(N, H, W) -> (N, H, W, 1) for channels_last, (N, 1, H, W) for channels_first."""
    if data_format not in DATA_FORMATS:
        raise ValueError(f"data_format must be one of {DATA_FORMATS}, got {data_format!r}")
    axis = 1 if data_format == "channels_first" else -1
    return np.expand_dims(images, axis=axis)
