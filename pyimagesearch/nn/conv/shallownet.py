from keras import layers, models

from .input_shape import image_input_shape


class ShallowNet:
    """Chapter 12's ShallowNet: INPUT => CONV => RELU => FC."""

    @staticmethod
    def build(width, height, depth, classes):
        return models.Sequential(
            [
                layers.Input(shape=image_input_shape(width, height, depth)),
                layers.Conv2D(32, (3, 3), padding="same"),
                layers.Activation("relu"),
                layers.Flatten(),
                layers.Dense(classes),
                layers.Activation("softmax"),
            ],
            name="shallownet",
        )
