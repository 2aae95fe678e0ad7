"""LeNet-5 variants, the schedules, lenet5_paper.py end to end, resume and figures."""

import csv
import re

import keras
import numpy as np
import pytest

import lenet5_paper
from conftest import assert_one_line_error, run_script, synthetic_mnist, write_npz
from pyimagesearch.nn.conv import LeNet5
from pyimagesearch.nn.conv.lenet5 import VARIANTS
from pyimagesearch.schedules import paper_schedule, seed_schedule

EXPECTED = {
    "paper": [("C1", (28, 28, 6), 156), ("S2", (14, 14, 6), 0), ("C3", (10, 10, 16), 2416),
              ("S4", (5, 5, 16), 0), ("C5", (1, 1, 120), 48120), ("Flatten", (120,), 0),
              ("F6", (84,), 10164), ("output", (10,), 850)],
    "d2l": [("C1", (28, 28, 6), 156), ("S2", (14, 14, 6), 0), ("C3", (10, 10, 16), 2416),
            ("S4", (5, 5, 16), 0), ("Flatten", (400,), 0), ("C5", (120,), 48120),
            ("F6", (84,), 10164), ("output", (10,), 850)],
    "relu-max": [("C1", (24, 24, 6), 156), ("S2", (12, 12, 6), 0), ("Activation", (12, 12, 6), 0),
                 ("C3", (8, 8, 16), 2416), ("S4", (4, 4, 16), 0), ("Activation", (4, 4, 16), 0),
                 ("C5", (4, 4, 120), 2040), ("Flatten", (1920,), 0), ("F6", (84,), 161364),
                 ("output", (10,), 850)],
    "lab": [("pad32", (32, 32, 1), 0), ("C1", (28, 28, 6), 156), ("S2", (14, 14, 6), 0),
            ("Activation", (14, 14, 6), 0), ("C3", (10, 10, 16), 2416), ("S4", (5, 5, 16), 0),
            ("Activation", (5, 5, 16), 0), ("Flatten", (400,), 0), ("C5", (120,), 48120),
            ("F6", (84,), 10164), ("output", (10,), 850)],
}
TOTALS = {"paper": 61_706, "d2l": 61_706, "relu-max": 166_826, "lab": 61_706}


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_variant_layers_and_parameters(variant):
    model = LeNet5.build(28, 28, 1, 10, variant=variant)
    table = [(layer.name if layer.name[0].isupper() or layer.name in ("output", "pad32")
              else layer.__class__.__name__, tuple(layer.output.shape[1:]), layer.count_params())
             for layer in model.layers]
    assert table == EXPECTED[variant]
    assert model.count_params() == TOTALS[variant]


def test_activations_per_variant():
    def activations(variant):
        return [layer.activation.__name__ for layer in LeNet5.build(28, 28, 1, 10, variant).layers
                if hasattr(layer, "activation")]
    assert activations("paper") == ["tanh"] * 4 + ["softmax"]
    assert activations("d2l") == ["sigmoid"] * 4 + ["softmax"]
    assert activations("relu-max") == ["linear", "relu", "linear", "relu", "linear", "sigmoid",
                                       "softmax"]


@pytest.mark.parametrize("activation, f6", [("sigmoid", "tanh"), ("tanh", "tanh"), ("relu", "relu")])
def test_lab_variant_activations(activation, f6):
    # Seed 004: the activation after S2 and S4 and at F6 (which stays tanh in its sigmoid
    # network); C5 is sigmoid in every network ("the rest unchanged").
    model = LeNet5.build(28, 28, 1, 10, variant="lab", activation=activation)
    assert [layer.activation.__name__ for layer in model.layers if hasattr(layer, "activation")] \
        == ["linear", activation, "linear", activation, "sigmoid", f6, "softmax"]


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation must be one of"):
        LeNet5.build(28, 28, 1, 10, variant="lab", activation="gelu")


def test_script_offers_exactly_the_builders_variants():
    assert lenet5_paper.VARIANTS == VARIANTS + ("1998",)


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="variant must be one of"):
        LeNet5.build(28, 28, 1, 10, variant="alexnet")


def test_seed_schedule_every_epoch():
    assert [seed_schedule(e) for e in range(20)] == (
        [5e-4] * 3 + [2e-4] * 3 + [5e-5] * 4 + [1e-5] * 10)


def test_paper_schedule_every_epoch():
    assert [paper_schedule(e) for e in range(20)] == (
        [5e-4] * 2 + [2e-4] * 3 + [1e-4] * 3 + [5e-5] * 4 + [1e-5] * 8)


def test_summary_prints_layers_without_data():
    result = run_script("lenet5_paper.py", "--summary", "--dataset", "/nonexistent.npz")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^C5\s+Conv2D\s+1x1x120\s+48,120$", result.stdout, re.M)
    assert re.search(r"^trainable\s+61,706$", result.stdout, re.M)


@pytest.mark.parametrize("args, fragment", [
    (["--epochs", "0"], "--epochs: must be at least 1"),
    (["--batch-size", "x"], "--batch-size: expected a whole number"),
    (["--schedule", "cosine"], "--schedule: invalid choice"),
    (["--variant", "vgg"], "--variant: invalid choice"),
])
def test_bad_flags_one_line(args, fragment):
    assert_one_line_error(run_script("lenet5_paper.py", *args), fragment)


def test_unwritable_output_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_script("lenet5_paper.py", "--output-dir", blocker / "out")
    assert_one_line_error(result, "--output-dir", "cannot write there")


class StopAfterEpoch(keras.callbacks.Callback):
    """Simulates a kill: raises once epoch `k` (0-based) has finished and been backed up."""

    class Killed(Exception):
        pass

    def __init__(self, k):
        super().__init__()
        self.k = k

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.k:
            raise self.Killed()


class EpochRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs, self.rates = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


@pytest.fixture
def small_npz(tmp_path):
    return write_npz(tmp_path / "mnist.npz", synthetic_mnist(400, 100, learnable=True))


def run_main(npz, out, epochs, *callbacks, extra=()):
    return lenet5_paper.main(["--dataset", str(npz), "--output-dir", str(out), "--epochs",
                              str(epochs), "--batch-size", "50", *extra],
                             extra_callbacks=list(callbacks))


def test_end_to_end_restores_best_checkpoint_and_writes_figures(tmp_path, small_npz, capsys):
    recorder = EpochRecorder()
    result = run_main(small_npz, tmp_path / "out", 4, recorder, extra=["--schedule", "paper"])
    out = capsys.readouterr().out

    # The schedule really drives the optimiser, epoch by epoch.
    assert recorder.rates == pytest.approx([paper_schedule(e) for e in range(4)])
    # The reloaded best-val_loss model scores exactly that epoch's val_accuracy.
    best = result["best_epoch"]
    assert best == int(np.argmin(result["history"]["val_loss"]))
    assert result["test_accuracy"] == pytest.approx(result["history"]["val_accuracy"][best],
                                                    abs=1e-6)
    assert f"Test accuracy: {result['test_accuracy']:.2%}" in out
    assert "weighted avg" in out
    assert result["test_accuracy"] >= 0.9  # the fixture is learnable: a real check, not chance

    names = ["mnist_first_six", "mnist_pixel_values", "lenet5_paper_paper_accuracy",
             "lenet5_paper_paper_loss", "lenet5_paper_paper_misclassified",
             "lenet5_paper_paper_confusion"]
    for name in names:
        png = (tmp_path / "out" / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 500, name
    # The exported model takes raw pixels and loads in safe mode.
    exported = keras.saving.load_model(tmp_path / "out" / "lenet5_paper_paper.keras", safe_mode=True)
    assert exported.count_params() == 61_706
    # ...and on raw test pixels scores what the script printed for the restored checkpoint.
    raw = np.load(small_npz)
    predicted = exported.predict(raw["x_test"][..., None].astype("float32"), verbose=0).argmax(1)
    assert np.mean(predicted == raw["y_test"]) == pytest.approx(result["test_accuracy"])
    # A finished run leaves no resume state behind, so the next run starts afresh.
    assert not list((tmp_path / "out" / ".resume").glob("*/backup"))


def test_resume_after_a_kill_starts_at_the_next_epoch(tmp_path, small_npz):
    out = tmp_path / "out"
    with pytest.raises(StopAfterEpoch.Killed):
        run_main(small_npz, out, 5, StopAfterEpoch(2))
    assert (out / "lenet5_paper_seed_best.keras").exists()

    recorder = EpochRecorder()
    result = run_main(small_npz, out, 5, recorder)
    assert recorder.epochs == [3, 4]
    # Same schedule after the restart: epochs 3 and 4 get the seed schedule's 2e-4.
    assert recorder.rates == pytest.approx([seed_schedule(3), seed_schedule(4)])
    # One history row per epoch, the killed run's three and the resumed run's two.
    assert len(result["history"]["val_loss"]) == 5
    state = next((out / ".resume").iterdir())
    with open(state / "history.csv") as f:
        assert [row["epoch"] for row in csv.DictReader(f)] == ["0", "1", "2", "3", "4"]
    # The reloaded model is still the best over all five epochs.
    assert result["test_accuracy"] == pytest.approx(
        result["history"]["val_accuracy"][result["best_epoch"]], abs=1e-6)


def test_bad_dataset_one_line(tmp_path):
    result = run_script("lenet5_paper.py", "--dataset", tmp_path / "none.npz",
                        "--output-dir", tmp_path / "out")
    assert_one_line_error(result, "none.npz", "no such file or folder")
