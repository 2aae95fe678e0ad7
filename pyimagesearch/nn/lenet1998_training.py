"""Training the 1998 LeNet-5 the 1998 way: the MAP and MSE criteria (eqs. 8-9), accuracy by the
smallest RBF penalty, and stochastic diagonal Levenberg-Marquardt (Appendix C)."""

import keras
import numpy as np
from keras import ops

from .lenet1998_layers import EuclideanRBF, SquashedLayer, squash, squash_derivative


@keras.saving.register_keras_serializable(package="lenet1998")
class MAPCriterion(keras.losses.Loss):
    """Eq. 9: E = y_D + log(e^-j + sum_i e^-y_i). The first term pulls the correct class's
    penalty down; the second pushes the others up, `j` keeping them from being pushed past it."""

    def __init__(self, j=1.0, name="map_criterion", **kwargs):
        super().__init__(name=name, **kwargs)
        self.j = float(j)

    def call(self, y_true, y_pred):
        correct = ops.sum(y_true * y_pred, axis=-1)
        rubbish = ops.full_like(y_pred[:, :1], -self.j)
        return correct + ops.logsumexp(ops.concatenate([rubbish, -y_pred], axis=-1), axis=-1)

    def get_config(self):
        return {**super().get_config(), "j": self.j}


@keras.saving.register_keras_serializable(package="lenet1998")
class MSECriterion(keras.losses.Loss):
    """Eq. 8: E = y_D, the penalty of the correct class (maximum likelihood)."""

    def __init__(self, name="mse_criterion", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return ops.sum(y_true * y_pred, axis=-1)


@keras.saving.register_keras_serializable(package="lenet1998")
def smallest_penalty_accuracy(y_true, y_pred):
    """1 where the unit with the smallest penalty is the true class."""
    return ops.cast(ops.equal(ops.argmax(y_true, axis=-1), ops.argmin(y_pred, axis=-1)), "float32")


def penalty_accuracy_metric():
    # Named "accuracy" so histories, plots and checkpoints read as for the other models.
    return keras.metrics.MeanMetricWrapper(smallest_penalty_accuracy, name="accuracy")


@keras.saving.register_keras_serializable(package="lenet1998")
class SDLM(keras.optimizers.Optimizer):
    """Stochastic diagonal Levenberg-Marquardt: parameter k moves by eta / (mu + h_kk) times
    its gradient, h_kk an estimate of the diagonal of the Gauss-Newton Hessian that
    `HessianEstimate` refreshes before each pass. `learning_rate` is eta."""

    def __init__(self, learning_rate=0.0005, mu=0.02, name="sdlm", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.mu = float(mu)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.hessians = self.add_optimizer_variables(variables, "hessian")

    def update_step(self, gradient, variable, learning_rate):
        h = self.hessians[self._get_variable_index(variable)]
        step = ops.divide(ops.cast(learning_rate, variable.dtype), ops.add(self.mu, h))
        self.assign_sub(variable, ops.multiply(step, ops.cast(gradient, variable.dtype)))

    def set_hessian_diagonal(self, variables, estimates):
        self.build(variables)
        for variable, estimate in zip(variables, estimates):
            self.hessians[self._get_variable_index(variable)].assign(estimate)

    def get_config(self):
        return {**super().get_config(), "mu": self.mu}


def hessian_diagonal(model, images, chunk=100):
    """The Gauss-Newton diagonal of every trainable parameter, averaged over `images`.

    Appendix C's back-propagation of second derivatives with off-diagonal terms dropped:
    at F6, d2E/dx2 = 2 (the correct class's RBF penalty, eq. 8); through a squashed unit,
    d2E/da2 = f'(a)^2 d2E/dx2; through a linear map, the input gets the transpose of the
    squared weights applied to d2E/da2, and a weight gets the sum over its connections of
    input^2 d2E/da2. Both are vector-Jacobian products of the layer's own linear map, run
    with squared weights or squared inputs.
    Returns a list aligned with model.trainable_variables.
    """
    import tensorflow as tf

    totals = {id(v): np.zeros(v.shape, "float64") for v in model.trainable_variables}
    for start in range(0, len(images), chunk):
        x = tf.convert_to_tensor(images[start:start + chunk], dtype="float32")
        records = []  # (layer, its input, its pre-activation)
        for layer in model.layers:
            if isinstance(layer, EuclideanRBF):
                break
            if isinstance(layer, SquashedLayer):
                a = layer.linear(x, *layer.params())
                records.append((layer, x, a))
                x = squash(a)
            else:
                x = layer(x)
        d2x = tf.fill(tf.shape(x), 2.0)
        for depth, (layer, x_in, a) in enumerate(reversed(records)):
            d2x = tf.reshape(d2x, tf.shape(a))  # undo a Flatten between layers
            d2a = d2x * tf.square(squash_derivative(a))
            params = layer.params()
            with tf.GradientTape() as tape:
                tape.watch(params)
                out = layer.linear(tf.square(x_in), *params)
            for variable, h in zip(layer.trainable_weights, tape.gradient(out, params, d2a)):
                totals[id(variable)] += h.numpy()
            if depth < len(records) - 1:
                squared = [tf.square(p) for p in params]
                with tf.GradientTape() as tape:
                    tape.watch(x_in)
                    out = layer.linear(x_in, *squared)
                d2x = tape.gradient(out, x_in, d2a)
    return [(totals[id(v)] / len(images)).astype("float32") for v in model.trainable_variables]


class HessianEstimate(keras.callbacks.Callback):
    """Before each pass, re-estimate the Hessian diagonal on `samples` random training images
    (500 in the paper) and hand it to the SDLM optimiser."""

    def __init__(self, train_images, samples=500, seed=0):
        super().__init__()
        self.train_images = train_images
        self.samples = samples
        self.seed = seed

    def on_epoch_begin(self, epoch, logs=None):
        rng = np.random.default_rng([self.seed, epoch])
        pick = rng.choice(len(self.train_images), size=min(self.samples, len(self.train_images)),
                          replace=False)
        estimates = hessian_diagonal(self.model, self.train_images[np.sort(pick)])
        self.model.optimizer.set_hessian_diagonal(self.model.trainable_variables, estimates)


# SDLM on minibatches: a step on a batch of B is B online steps taken at once, each at
# gain * eta / (mu + h_kk) times one sample's gradient, with the paper's eta schedule.
# At gain 1 (the paper's own step) this network saturated within its first few hundred
# updates here, online or not: at initialisation h_kk is far below mu in every layer under
# F6, so every step is the maximum eta / mu. After one pass at a small gain the weights have
# grown, the estimates with them, and a larger gain is stable. Both were measured (README).
SDLM_FIRST_PASS_GAIN = 0.02
SDLM_GAIN = 0.1


def sdlm_rate(schedule, batch_size, gain=SDLM_GAIN):
    """The learning rate per epoch handed to SDLM for minibatches of `batch_size`."""
    def rate(epoch):
        return schedule(epoch) * (SDLM_FIRST_PASS_GAIN if epoch == 0 else gain) * batch_size
    return rate


def compile_1998(model, optimizer, loss, j, schedule, batch_size, train_images, seed,
                 gain=SDLM_GAIN, steps_per_execution=1):
    """Compile the 1998 network with its criterion and optimiser.

    Returns (learning rate per epoch, callbacks the optimiser needs)."""
    criterion = MAPCriterion(j) if loss == "map" else MSECriterion()
    if optimizer == "sdlm":
        rate = sdlm_rate(schedule, batch_size, gain)
        model.compile(loss=criterion, optimizer=SDLM(learning_rate=rate(0)),
                      metrics=[penalty_accuracy_metric()],
                      steps_per_execution=steps_per_execution)
        return rate, [HessianEstimate(train_images, samples=500, seed=seed)]

    def rate(epoch):  # Adam's steps do not scale with the gradient: twice the paper's eta
        return schedule(epoch) * 2.0

    model.compile(loss=criterion, optimizer=keras.optimizers.Adam(learning_rate=rate(0)),
                  metrics=[penalty_accuracy_metric()], steps_per_execution=steps_per_execution)
    return rate, []
