import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import LeNet, ShallowNet


@pytest.fixture(params=["channels_last", "channels_first"])
def data_format(request):
    previous = keras.backend.image_data_format()
    keras.backend.set_image_data_format(request.param)
    yield request.param
    keras.backend.set_image_data_format(previous)


def maps(data_format, height, width, channels):
    """A feature-map shape (without batch axis) in the given data format."""
    if data_format == "channels_first":
        return (channels, height, width)
    return (height, width, channels)


def layer_table(model):
    return [(layer.__class__.__name__, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers]


def test_lenet_layers_shapes_and_parameters(data_format):
    model = LeNet.build(width=28, height=28, depth=1, classes=10)
    assert model.input_shape[1:] == maps(data_format, 28, 28, 1)
    assert layer_table(model) == [
        ("Conv2D", maps(data_format, 28, 28, 20), 5 * 5 * 1 * 20 + 20),
        ("Activation", maps(data_format, 28, 28, 20), 0),
        ("MaxPooling2D", maps(data_format, 14, 14, 20), 0),
        ("Conv2D", maps(data_format, 14, 14, 50), 5 * 5 * 20 * 50 + 50),
        ("Activation", maps(data_format, 14, 14, 50), 0),
        ("MaxPooling2D", maps(data_format, 7, 7, 50), 0),
        ("Flatten", (2450,), 0),
        ("Dense", (500,), 2450 * 500 + 500),
        ("Activation", (500,), 0),
        ("Dense", (10,), 500 * 10 + 10),
        ("Activation", (10,), 0),
    ]
    assert model.count_params() == 1_256_080


def test_shallownet_layers_shapes_and_parameters(data_format):
    model = ShallowNet.build(width=32, height=32, depth=3, classes=3)
    assert model.input_shape[1:] == maps(data_format, 32, 32, 3)
    assert layer_table(model) == [
        ("Conv2D", maps(data_format, 32, 32, 32), 3 * 3 * 3 * 32 + 32),
        ("Activation", maps(data_format, 32, 32, 32), 0),
        ("Flatten", (32 * 32 * 32,), 0),
        ("Dense", (3,), 32 * 32 * 32 * 3 + 3),
        ("Activation", (3,), 0),
    ]


@pytest.mark.parametrize("builder", [LeNet, ShallowNet])
def test_builders_run_forward_and_backward_on_cpu(builder, data_format):
    # channels_first must really run on CPU, not only build.
    model = builder.build(width=28, height=28, depth=1, classes=10)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = np.random.default_rng(0).random((8, *maps(data_format, 28, 28, 1)), dtype=np.float32)
    y = keras.utils.to_categorical(np.arange(8) % 10, 10)
    loss = model.train_on_batch(x, y)
    probabilities = model.predict(x, verbose=0)
    assert np.isfinite(loss)
    assert probabilities.shape == (8, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_builders_return_uncompiled_models():
    assert not LeNet.build(28, 28, 1, 10).compiled
    assert not ShallowNet.build(28, 28, 1, 10).compiled
