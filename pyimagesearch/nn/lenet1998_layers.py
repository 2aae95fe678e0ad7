"""The layers of the 1998 LeNet-5 that Keras does not have (LeCun et al. 1998, sec. II-B).

Every trainable layer is written as `linear(x, *params)` followed by the squashing function,
so the optimiser's second-order pass (pyimagesearch.sdlm) can run each linear map with
squared inputs or squared weights. Each layer has `get_config`, so models save to `.keras`
and load back with safe mode on.
"""

import os

import keras
import numpy as np
from keras import ops

DATA = os.path.join(os.path.dirname(__file__), "data")
SQUASH_A = 1.7159
SQUASH_S = 2.0 / 3.0


def squash(a):
    """f(a) = A tanh(S a), A = 1.7159, S = 2/3 (eq. 6): f(1) = 1, f(-1) = -1."""
    return SQUASH_A * ops.tanh(SQUASH_S * a)


def squash_derivative(a):
    return SQUASH_A * SQUASH_S * (1.0 - ops.square(ops.tanh(SQUASH_S * a)))


def read_c3_table(path=os.path.join(DATA, "c3-table.txt")):
    """Table I as a (6, 16) boolean array: [i, j] is True where C3 map j reads S2 map i."""
    rows = [line.split()[1:] for line in open(path) if line.startswith("S2-")]
    return np.array([[mark == "X" for mark in row] for row in rows])


def read_rbf_bitmaps(path=os.path.join(DATA, "rbf-bitmaps.txt")):
    """The 10 fixed RBF centres as a (10, 84) array of +1 ('#') and -1 ('.')."""
    # Keep the digit labels and the bitmap rows; comment lines start with "# ".
    lines = [line.strip() for line in open(path)
             if line.strip() and (line.strip().isdigit() or set(line.strip()) <= {"#", "."})]
    centres = []
    for digit in range(10):
        start = lines.index(str(digit)) + 1
        bitmap = "".join(lines[start:start + 12])
        centres.append([1.0 if c == "#" else -1.0 for c in bitmap])
    return np.array(centres, dtype="float32")


def fan_in_uniform(fan_in):
    """Appendix A: weights uniform in [-2.4 / F, 2.4 / F], F the fan-in of the unit."""
    limit = 2.4 / fan_in
    return keras.initializers.RandomUniform(-limit, limit)


def _channel_axis(data_format):
    return 1 if data_format == "channels_first" else -1


def _per_map(values, data_format):
    """A per-feature-map vector shaped to broadcast over (batch, maps, rows, cols) or its
    channels-last order."""
    shape = (1, -1, 1, 1) if data_format == "channels_first" else (1, 1, 1, -1)
    return ops.reshape(values, shape)


class SquashedLayer(keras.layers.Layer):
    """A linear map followed by the squashing function."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or keras.backend.image_data_format()

    def params(self):
        return [w.value for w in self.trainable_weights]

    def linear(self, x, *params):
        raise NotImplementedError

    def call(self, x):
        return squash(self.linear(x, *self.params()))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


@keras.saving.register_keras_serializable(package="lenet1998")
class Convolution(SquashedLayer):
    """5x5 valid convolution with bias; with `table`, output map j reads only the input maps i
    where table[i][j] is true, and only those kernels exist as parameters (C3: 1,516, not 2,416).
    """

    def __init__(self, filters, kernel_size=5, table=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.table = None if table is None else [[bool(v) for v in row] for row in table]

    def build(self, input_shape):
        channels = input_shape[_channel_axis(self.data_format)]
        table = np.ones((channels, self.filters), bool) if self.table is None else np.array(self.table)
        if table.shape != (channels, self.filters):
            raise ValueError(f"table has shape {table.shape}, expected {(channels, self.filters)}")
        k = self.kernel_size
        pairs = np.argwhere(table)  # connected (input map, output map), row-major
        map_fan_in = (table.sum(axis=0) * k * k).astype("float32")  # inputs of one unit of map j
        self.kernels = self.add_weight(shape=(k, k, len(pairs)), name="kernels",
                                       initializer=keras.initializers.RandomUniform(-1.0, 1.0))
        self.bias = self.add_weight(shape=(self.filters,), name="bias",
                                    initializer=keras.initializers.RandomUniform(-1.0, 1.0))
        # Appendix A: uniform in +-2.4/F with F the fan-in of the unit the weight feeds.
        self.kernels.assign(self.kernels * (2.4 / map_fan_in[pairs[:, 1]]))
        self.bias.assign(self.bias * (2.4 / map_fan_in))
        # For each entry of the full (in, out) kernel grid: which kernel, or the zero slot.
        self._gather = np.full(channels * self.filters, len(pairs), dtype="int32")
        self._gather[pairs[:, 0] * self.filters + pairs[:, 1]] = np.arange(len(pairs))
        self._full_shape = (k, k, channels, self.filters)

    def full_kernel(self, kernels):
        """The (k, k, in, out) kernel: connected pairs get their kernel, the rest a constant
        zero, which is no parameter and passes no gradient."""
        padded = ops.concatenate([kernels, ops.zeros(kernels.shape[:2] + (1,), kernels.dtype)],
                                 axis=-1)
        return ops.reshape(ops.take(padded, self._gather, axis=-1), self._full_shape)

    def linear(self, x, kernels, bias):
        a = ops.conv(x, self.full_kernel(kernels), strides=1, padding="valid",
                     data_format=self.data_format)
        return a + _per_map(bias, self.data_format)

    def compute_output_shape(self, input_shape):
        k = self.kernel_size
        if self.data_format == "channels_first":
            return (input_shape[0], self.filters, input_shape[2] - k + 1, input_shape[3] - k + 1)
        return (input_shape[0], input_shape[1] - k + 1, input_shape[2] - k + 1, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "table": self.table}


@keras.saving.register_keras_serializable(package="lenet1998")
class Subsampling(SquashedLayer):
    """S2/S4: each 2x2 window's four inputs are added, multiplied by one trainable coefficient
    per map, a trainable bias per map is added, then squashed. 2 parameters per map."""

    def build(self, input_shape):
        channels = input_shape[_channel_axis(self.data_format)]
        init = fan_in_uniform(4)  # each unit has four inputs
        self.coefficient = self.add_weight(shape=(channels,), name="coefficient", initializer=init)
        self.bias = self.add_weight(shape=(channels,), name="bias", initializer=init)

    def linear(self, x, coefficient, bias):
        window_sum = 4.0 * ops.average_pool(x, 2, strides=2, padding="valid",
                                            data_format=self.data_format)
        return (window_sum * _per_map(coefficient, self.data_format)
                + _per_map(bias, self.data_format))

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_first":
            return (input_shape[0], input_shape[1], input_shape[2] // 2, input_shape[3] // 2)
        return (input_shape[0], input_shape[1] // 2, input_shape[2] // 2, input_shape[3])


@keras.saving.register_keras_serializable(package="lenet1998")
class FullConnection(SquashedLayer):
    """F6: a fully connected layer of `units` squashed units."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        init = fan_in_uniform(input_shape[-1])
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel",
                                      initializer=init)
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer=init)

    def linear(self, x, kernel, bias):
        return ops.matmul(x, kernel) + bias

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="lenet1998")
class EuclideanRBF(keras.layers.Layer):
    """The output layer (eq. 7): y_i = sum_j (x_j - w_ij)^2 with fixed, hand-set centres w_i.

    Its outputs are penalties: the predicted class is the unit with the smallest output.
    The centres are a non-trainable weight, so they are saved with the model.
    """

    def __init__(self, units=10, dim=84, centres=None, **kwargs):
        super().__init__(**kwargs)
        if centres is None:  # the paper's bitmaps; a loaded model then gets its saved centres
            centres = read_rbf_bitmaps() if (units, dim) == (10, 84) else np.zeros((units, dim))
        centres = np.asarray(centres, "float32")
        self.units, self.dim = centres.shape
        self.centres = self.add_weight(shape=centres.shape, name="centres", trainable=False,
                                       initializer=keras.initializers.Constant(centres))

    def call(self, x):
        # |x|^2 - 2 x.w + |w|^2, one matmul instead of a (batch, 10, 84) difference tensor.
        centres = ops.convert_to_tensor(self.centres)
        return (ops.sum(ops.square(x), axis=-1, keepdims=True)
                - 2.0 * ops.matmul(x, ops.transpose(centres))
                + ops.sum(ops.square(centres), axis=-1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        # The centres travel as the layer's (non-trainable) weight; the config only sizes it.
        return {**super().get_config(), "units": self.units, "dim": self.dim}


@keras.saving.register_keras_serializable(package="lenet1998")
class PenaltiesToProbabilities(keras.layers.Layer):
    """softmax(-y): the class probabilities the MAP criterion implies (eq. 9), so the saved
    model answers like the other models (largest = predicted) while keeping argmin(y)."""

    def call(self, penalties):
        return ops.softmax(-penalties, axis=-1)
