from keras import layers, models

from .input_shape import image_input_shape


class LeNet:
    """Chapter 14's LeNet (table 14.1): two CONV => RELU => POOL blocks, then FC 500 => RELU => FC."""

    @staticmethod
    def build(width, height, depth, classes):
        return models.Sequential(
            [
                layers.Input(shape=image_input_shape(width, height, depth)),
                # first set of CONV => RELU => POOL layers
                layers.Conv2D(20, (5, 5), padding="same"),
                layers.Activation("relu"),
                layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
                # second set of CONV => RELU => POOL layers
                layers.Conv2D(50, (5, 5), padding="same"),
                layers.Activation("relu"),
                layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
                # FC => RELU, then the softmax classifier
                layers.Flatten(),
                layers.Dense(500),
                layers.Activation("relu"),
                layers.Dense(classes),
                layers.Activation("softmax"),
            ],
            name="lenet",
        )
