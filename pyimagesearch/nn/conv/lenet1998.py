from keras import layers, models

from ..lenet1998_layers import (Convolution, EuclideanRBF, FullConnection, Subsampling,
                                read_c3_table)
from ..distortions import RandomDistortion
from .input_shape import image_input_shape


class LeNet1998:
    """LeNet-5 exactly as published (LeCun et al. 1998): 32x32 input, C1, trainable subsampling
    S2, C3 wired by Table I, S4, C5, F6 of squashed units, and 10 Euclidean RBF outputs with
    fixed centres. 60,000 trainable parameters.

    The model takes raw 0-255 pixels: it pads 28x28 digits to 32x32 with background and maps
    background to -0.1 and ink to 1.175 itself. Its outputs are penalties: smallest wins.
    """

    @staticmethod
    def build(width=28, height=28, depth=1, classes=10, distortions=False):
        """`distortions=True` puts a RandomDistortion layer first: active in training only."""
        if depth != 1 or classes != 10 or width != height or width > 32 or (32 - width) % 2:
            raise ValueError("the 1998 network reads one-channel square digits of up to 32x32 "
                             "with an even margin, and has 10 outputs (its RBF bitmaps)")
        margin = (32 - width) // 2
        distort = [RandomDistortion(name="distortions")] if distortions else []
        return models.Sequential(
            [
                layers.Input(shape=image_input_shape(width, height, depth)),
                *distort,
                layers.ZeroPadding2D(margin, name="pad_to_32"),  # raw 0 = background
                # background (0) -> -0.1, ink (255) -> 1.175
                layers.Rescaling(1.275 / 255.0, offset=-0.1, name="map_pixels"),
                Convolution(6, name="C1"),
                Subsampling(name="S2"),
                Convolution(16, table=read_c3_table(), name="C3"),
                Subsampling(name="S4"),
                Convolution(120, name="C5"),
                layers.Flatten(name="flatten"),
                FullConnection(84, name="F6"),
                EuclideanRBF(name="output"),
            ],
            name="lenet5_1998",
        )
