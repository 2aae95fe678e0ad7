from keras import layers, models

from .input_shape import image_input_shape

VARIANTS = ("paper", "d2l", "relu-max", "lab")
# Activations seed 004 (the lab report) compares; "lab" takes any of them.
LAB_ACTIVATIONS = ("sigmoid", "tanh", "relu")


class LeNet5:
    """LeNet-5 (6-16-120-84) as the seed articles build it, one `variant` each.

    - "paper" (seed 003, after LeCun et al. 1998): tanh, average pooling, C5 as a 5x5
      convolution, F6 84 tanh, softmax output.
    - "d2l" (seed 001): the same shape with sigmoid everywhere and C5 as dense 120.
    - "relu-max" (seed 002): valid C1, max pooling then ReLU, 1x1 C5, sigmoid F6.
    - "lab" (seed 004): 28x28 padded to 32x32, valid C1, max pooling then `activation`, C5 as
      dense 120 with sigmoid, F6 84 tanh (ReLU in the ReLU network), softmax output.

    The faithful 1998 network (C3 table, trainable subsampling, RBF output) is a different
    class: its layers are not Keras built-ins.
    """

    @staticmethod
    def build(width, height, depth, classes, variant="paper", activation="sigmoid"):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        if activation not in LAB_ACTIVATIONS:
            raise ValueError(f"activation must be one of {LAB_ACTIVATIONS}, got {activation!r}")
        inputs = [layers.Input(shape=image_input_shape(width, height, depth))]

        if variant == "lab":
            # Seed 004's ReLU network changes only the activations after the two pooling layers
            # and F6's (tanh -> ReLU), "the rest unchanged", so C5 stays sigmoid in every network.
            # Its text gives C5 no activation, but its numbers (runs stuck at chance after one
            # epoch at lr 0.001 and batch 256) come back only with one: both were measured.
            f6 = "tanh" if activation == "sigmoid" else activation
            body = [
                layers.ZeroPadding2D(2, name="pad32"),
                layers.Conv2D(6, (5, 5), padding="valid", name="C1"),
                layers.MaxPooling2D((2, 2), strides=2, name="S2"),
                layers.Activation(activation),
                layers.Conv2D(16, (5, 5), padding="valid", name="C3"),
                layers.MaxPooling2D((2, 2), strides=2, name="S4"),
                layers.Activation(activation),
                layers.Flatten(),
                layers.Dense(120, activation="sigmoid", name="C5"),
                layers.Dense(84, activation=f6, name="F6"),
            ]
        elif variant == "relu-max":
            body = [
                layers.Conv2D(6, (5, 5), padding="valid", name="C1"),
                layers.MaxPooling2D((2, 2), strides=2, name="S2"),
                layers.Activation("relu"),
                layers.Conv2D(16, (5, 5), padding="valid", name="C3"),
                layers.MaxPooling2D((2, 2), strides=2, name="S4"),
                layers.Activation("relu"),
                layers.Conv2D(120, (1, 1), padding="valid", name="C5"),
                layers.Flatten(),
                layers.Dense(84, activation="sigmoid", name="F6"),
            ]
        else:
            act = "tanh" if variant == "paper" else "sigmoid"
            body = [
                layers.Conv2D(6, (5, 5), padding="same", activation=act, name="C1"),
                layers.AveragePooling2D((2, 2), strides=2, name="S2"),
                layers.Conv2D(16, (5, 5), padding="valid", activation=act, name="C3"),
                layers.AveragePooling2D((2, 2), strides=2, name="S4"),
            ]
            if variant == "paper":
                # C5 is a convolution whose 5x5 kernel covers S4's 5x5 maps.
                body += [layers.Conv2D(120, (5, 5), padding="valid", activation=act, name="C5"),
                         layers.Flatten()]
            else:
                body += [layers.Flatten(), layers.Dense(120, activation=act, name="C5")]
            body.append(layers.Dense(84, activation=act, name="F6"))

        output = [layers.Dense(classes, activation="softmax", name="output")]
        name = f"lenet5_{variant.replace('-', '_')}" + (f"_{activation}" if variant == "lab" else "")
        return models.Sequential(inputs + body + output, name=name)
