"""Models saved for use carry their own input normalisation, so they take raw 0-255 pixels."""

import keras


def with_preprocessing(model, scale, offset):
    """`model` preceded by a Rescaling layer computing x * scale + offset.

    predict.py (or any caller) then feeds raw pixels, whatever normalisation the network was
    trained with. Same weights; no parameters added.
    """
    inputs = keras.Input(shape=model.input_shape[1:], name="raw_pixels")
    x = keras.layers.Rescaling(scale=float(scale), offset=float(offset), name="preprocessing")(inputs)
    return keras.Model(inputs, model(x), name=f"{model.name}_with_preprocessing")


def with_probabilities(model):
    """For the 1998 network, whose RBF outputs are penalties (smallest wins): append
    softmax(-penalties), so the saved model answers with class probabilities."""
    from .lenet1998_layers import PenaltiesToProbabilities

    inputs = keras.Input(shape=model.input_shape[1:], name="raw_pixels")
    outputs = PenaltiesToProbabilities(name="probabilities")(model(inputs))
    return keras.Model(inputs, outputs, name=f"{model.name}_with_probabilities")


def load_model(path):
    """Load a model this repository saved, in Keras' safe mode. Importing the 1998 modules
    registers their layers, criteria and optimiser, which Keras needs to rebuild them."""
    from . import distortions, lenet1998_layers, lenet1998_training  # noqa: F401

    return keras.saving.load_model(path, safe_mode=True)
