"""The 1998 LeNet-5: parameter counts, C3 wiring, fixed RBF centres, criteria, SDLM, distortions."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import run_script, synthetic_mnist, write_npz
from pyimagesearch.nn.conv import LeNet1998
from pyimagesearch.nn.distortions import RandomDistortion
from pyimagesearch.nn.inference import with_probabilities
from pyimagesearch.nn.lenet1998_layers import read_c3_table, read_rbf_bitmaps, squash
from pyimagesearch.nn.lenet1998_training import (SDLM, MAPCriterion, MSECriterion,
                                                 hessian_diagonal, penalty_accuracy_metric,
                                                 sdlm_rate)
from pyimagesearch.schedules import paper_schedule


@pytest.fixture
def model():
    keras.utils.set_random_seed(0)
    return LeNet1998.build()


def trainable_count(layer):
    return sum(int(np.prod(w.shape)) for w in layer.trainable_weights)


def test_sixty_thousand_trainable_parameters_with_the_papers_per_layer_counts(model):
    counts = {layer.name: trainable_count(layer) for layer in model.layers}
    assert counts == {"pad_to_32": 0, "map_pixels": 0, "C1": 156, "S2": 12, "C3": 1516, "S4": 32,
                      "C5": 48120, "flatten": 0, "F6": 10164, "output": 0}
    assert sum(counts.values()) == 60_000
    assert model.get_layer("output").count_params() == 840  # the fixed centres, not trained
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes["pad_to_32"] == (32, 32, 1) and shapes["C1"] == (28, 28, 6)
    assert shapes["S2"] == (14, 14, 6) and shapes["C3"] == (10, 10, 16)
    assert shapes["S4"] == (5, 5, 16) and shapes["C5"] == (1, 1, 120)
    assert shapes["F6"] == (84,) and shapes["output"] == (10,)


def test_table_one_has_sixty_connections():
    table = read_c3_table()
    assert table.shape == (6, 16) and table.sum() == 60
    assert list(table.sum(axis=0)) == [3] * 6 + [4] * 9 + [6]


def test_c3_map_j_depends_on_s2_map_i_exactly_where_table_one_has_an_x(model):
    c3 = model.get_layer("C3")
    table = read_c3_table()
    s2 = tf.random.normal((1, 14, 14, 6), seed=1)
    for j in range(16):
        with tf.GradientTape() as tape:
            tape.watch(s2)
            out = c3(s2)[..., j]
        per_input_map = tf.reduce_sum(tf.abs(tape.gradient(out, s2)), axis=(0, 1, 2)).numpy()
        assert np.all(per_input_map[~table[:, j]] == 0.0), j  # exactly zero, not small
        assert np.all(per_input_map[table[:, j]] > 0.0), j


def test_input_is_padded_to_32_and_mapped_to_the_papers_levels(model):
    mapped = keras.Model(model.inputs, model.get_layer("map_pixels").output)
    image = np.zeros((1, 28, 28, 1), "float32")
    image[0, 10:18, 10:18, 0] = 255.0
    out = mapped.predict(image, verbose=0)[0, :, :, 0]
    assert out.shape == (32, 32)
    np.testing.assert_allclose(out[0, 0], -0.1, atol=1e-6)    # padding is background
    np.testing.assert_allclose(out[12:20, 12:20], 1.175, atol=1e-5)


def test_squashing_function():
    np.testing.assert_allclose(keras.ops.convert_to_numpy(squash(np.array([1.0, -1.0, 0.0]))),
                               [1.0, -1.0, 0.0], atol=1e-4)


def test_weights_start_within_2_4_over_fan_in(model):
    fan_in = {"C1": 25, "C5": 400, "F6": 120}
    for name, f in fan_in.items():
        for weight in model.get_layer(name).trainable_weights:
            assert np.abs(weight.numpy()).max() <= 2.4 / f + 1e-7, name
    # C3: maps reading 3, 4 or 6 S2 maps have fan-in 75, 100, 150.
    c3 = model.get_layer("C3").kernels.numpy()
    assert np.abs(c3[..., :18]).max() <= 2.4 / 75 + 1e-7   # the first 6 maps' 18 kernels...
    assert np.abs(c3).max() > 2.4 / 150                    # ...are not all drawn from the smallest range
    for name in ("S2", "S4"):
        assert np.abs(model.get_layer(name).coefficient.numpy()).max() <= 2.4 / 4 + 1e-7


def test_rbf_centres_are_the_bitmaps_and_stay_fixed_through_training(model):
    centres = model.get_layer("output").centres
    bitmaps = read_rbf_bitmaps()
    assert bitmaps.shape == (10, 84) and set(np.unique(bitmaps)) == {-1.0, 1.0}
    np.testing.assert_array_equal(centres.numpy(), bitmaps)
    assert not centres.trainable

    model.compile(loss=MAPCriterion(1.0), optimizer=SDLM(learning_rate=0.01),
                  metrics=[penalty_accuracy_metric()])
    x = np.random.default_rng(0).integers(0, 256, (16, 28, 28, 1)).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 10, 10)
    f6_before = model.get_layer("F6").kernel.numpy().copy()
    model.train_on_batch(x, y)
    np.testing.assert_array_equal(centres.numpy(), bitmaps)
    assert not np.array_equal(model.get_layer("F6").kernel.numpy(), f6_before)


def test_prediction_is_the_smallest_penalty(model):
    x = np.random.default_rng(1).integers(0, 256, (8, 28, 28, 1)).astype("float32")
    penalties = model.predict(x, verbose=0)
    probabilities = with_probabilities(model).predict(x, verbose=0)
    np.testing.assert_array_equal(probabilities.argmax(axis=1), penalties.argmin(axis=1))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_criteria_follow_equations_8_and_9():
    y = np.array([[3.0, 1.0, 5.0]], "float32")
    true = np.array([[0.0, 1.0, 0.0]], "float32")
    for j in (0.1, 1.0, 4.0):
        expected = 1.0 + np.log(np.exp(-j) + np.exp(-y).sum())
        got = keras.ops.convert_to_numpy(MAPCriterion(j).call(true, y))
        np.testing.assert_allclose(got, [expected], rtol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(MSECriterion().call(true, y)), [1.0])


def test_sdlm_step_is_eta_over_mu_plus_h_times_the_gradient():
    variable = keras.Variable(np.array([1.0, 2.0, 3.0], "float32"))
    optimizer = SDLM(learning_rate=0.1, mu=0.02)
    optimizer.set_hessian_diagonal([variable], [np.array([0.0, 0.08, 1.98], "float32")])
    gradient = np.array([1.0, 1.0, -2.0], "float32")
    optimizer.apply_gradients([(gradient, variable)])
    np.testing.assert_allclose(variable.numpy(),
                               [1.0 - 0.1 / 0.02, 2.0 - 0.1 / 0.1, 3.0 + 0.2 / 2.0], rtol=1e-6)


def test_sdlm_rate_per_pass_for_minibatches():
    # Batch of 16: 16 online steps at once; the first pass at gain 0.02, then 0.1.
    rates = [sdlm_rate(paper_schedule, 16)(e) for e in range(20)]
    expected = [0.0005 * 0.02 * 16] + [paper_schedule(e) * 0.1 * 16 for e in range(1, 20)]
    assert rates == pytest.approx(expected)
    assert rates[1] == pytest.approx(0.0005 * 1.6) and rates[-1] == pytest.approx(0.00001 * 1.6)


def test_hessian_estimate_is_exact_gauss_newton_where_no_weights_are_shared(model):
    # For F6 and C5 (no weight sharing within one sample) the paper's diagonal approximation
    # equals the exact Gauss-Newton diagonal 2 * sum_j (dx_j/dw)^2, x = F6's outputs.
    images = np.random.default_rng(2).integers(0, 256, (3, 28, 28, 1)).astype("float32")
    estimate = dict(zip([v.path for v in model.trainable_variables],
                        hessian_diagonal(model, images)))
    f6 = keras.Model(model.inputs, model.get_layer("F6").output)
    wanted = [v for v in model.trainable_variables if v.path.split("/")[-2] in ("F6", "C5")]
    exact = {v.path: 0.0 for v in wanted}
    for i in range(len(images)):
        with tf.GradientTape() as tape:
            out = f6(images[i:i + 1])[0]
        for v, jacobian in zip(wanted, tape.jacobian(out, wanted)):
            exact[v.path] = exact[v.path] + 2 * np.square(jacobian.numpy()).sum(axis=0) / len(images)
    for path, value in exact.items():
        np.testing.assert_allclose(estimate[path], value, rtol=1e-3, atol=1e-9)


def test_keras_round_trip_in_safe_mode_gives_identical_predictions(tmp_path):
    keras.utils.set_random_seed(3)
    model = LeNet1998.build(distortions=True)
    model.compile(loss=MAPCriterion(0.5), optimizer=SDLM(), metrics=[penalty_accuracy_metric()])
    x = np.random.default_rng(3).integers(0, 256, (5, 28, 28, 1)).astype("float32")
    for saved in (model, with_probabilities(model)):
        path = tmp_path / f"{saved.name}.keras"
        saved.save(path)
        loaded = keras.saving.load_model(path, safe_mode=True)
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), saved.predict(x, verbose=0))
    loaded = keras.saving.load_model(tmp_path / f"{model.name}.keras", safe_mode=True)
    assert loaded.loss.j == 0.5 and isinstance(loaded.optimizer, SDLM)


def test_distortions_only_in_training_and_repeatable():
    images = np.zeros((64, 28, 28, 1), "float32")
    images[:, 12:16, 12:16] = 255.0
    layer = RandomDistortion(seed=5)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(images, training=False)), images)
    out = keras.ops.convert_to_numpy(layer(images, training=True))
    again = keras.ops.convert_to_numpy(RandomDistortion(seed=5)(images, training=True))
    np.testing.assert_array_equal(out, again)
    changed = np.abs(out - images).reshape(64, -1).max(axis=1) > 1.0
    assert 0.75 <= changed.mean() <= 1.0  # about 90% distorted, the rest untouched
    # A 4x4 block centred in the image stays near the centre: translation is at most 2 px.
    ys, xs = np.indices((28, 28))
    for image in out[changed, :, :, 0]:
        mass = image.sum()
        assert abs((ys * image).sum() / mass - 13.5) <= 2.6
        assert abs((xs * image).sum() / mass - 13.5) <= 2.6 + 0.25 * 2  # plus shear


def test_script_summary_for_the_1998_network():
    result = run_script("lenet5_paper.py", "--variant", "1998", "--summary")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^C3\s+Convolution\s+10x10x16\s+1,516$", result.stdout, re.M)
    assert re.search(r"^trainable\s+60,000$", result.stdout, re.M)


def test_script_gain_matches_the_library_default():
    import lenet5_paper
    from pyimagesearch.nn import lenet1998_training

    assert lenet5_paper.SDLM_GAIN == lenet1998_training.SDLM_GAIN


def test_1998_flags_are_refused_for_other_variants():
    result = run_script("lenet5_paper.py", "--variant", "paper", "--optimizer", "adam")
    assert result.returncode == 2 and "--optimizer applies to --variant 1998 only" in result.stderr


def test_one_pass_on_real_mnist_reaches_5_percent_error(tmp_path, real_mnist):
    result = run_script("lenet5_paper.py", "--variant", "1998", "--epochs", "1",
                        "--batch-size", "16", "--dataset", real_mnist, "--output-dir", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    error = float(re.search(r"^Test error after the last epoch: (\d+\.\d\d)%$", result.stdout,
                            re.M).group(1))
    assert error <= 5.0, result.stdout[-2000:]


def test_a_distorted_pass_is_ten_copies_of_the_training_set(tmp_path):
    # The paper's distorted pass: 60,000 originals + 540,000 distorted copies.
    data = write_npz(tmp_path / "mnist.npz", synthetic_mnist(n_train=64, n_test=32))
    result = run_script("lenet5_paper.py", "--variant", "1998", "--distortions", "--epochs", "1",
                        "--batch-size", "16", "--dataset", data, "--output-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^40/40 ", result.stdout, re.M), result.stdout[-2000:]  # 64 x 10 / 16
