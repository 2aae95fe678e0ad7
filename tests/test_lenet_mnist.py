"""lenet_mnist.py as a reader runs it: flags, end to end on fixture data, seeding, real MNIST."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, assert_one_line_error, interrupt_script, run_script

REPORT_ROW = re.compile(r"^\s+(\d)\s+[01]\.\d{4}\s+[01]\.\d{4}\s+[01]\.\d{4}\s+(\d+)$", re.M)
ACCURACY = re.compile(r"^Test accuracy: (\d+\.\d\d)%$", re.M)


def train_on(dataset, out, *extra):
    return run_script("lenet_mnist.py", "--dataset", dataset, "--output", out / "plot.png",
                      "--model-path", out / "lenet.keras", *extra)


def test_flags_are_parsed_without_importing_tensorflow():
    # --help must answer quickly, so TensorFlow may only be imported after parsing.
    code = ("import sys, lenet_mnist; a = lenet_mnist.parse_args(['--epochs', '3']);"
            "assert a.epochs == 3 and a.batch_size == 128 and a.learning_rate == 0.01;"
            "assert a.data_format == 'channels_last' and a.seed == 42;"
            "bad = [m for m in ('tensorflow', 'keras', 'sklearn', 'matplotlib') if m in sys.modules];"
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_help_lists_every_flag():
    result = run_script("lenet_mnist.py", "--help")
    assert result.returncode == 0
    for flag in ("--dataset", "--output", "--epochs", "--batch-size", "--learning-rate", "--seed",
                 "--data-format", "--model-path"):
        assert flag in result.stdout


@pytest.mark.parametrize("args, fragment", [
    (["--epochs", "0"], "--epochs: must be at least 1"),
    (["--epochs", "two"], "--epochs: expected a whole number"),
    (["--batch-size", "-5"], "--batch-size: must be at least 1"),
    (["--learning-rate", "0"], "--learning-rate: must be a finite number above 0"),
    (["--learning-rate", "-0.1"], "--learning-rate: must be a finite number above 0"),
    (["--learning-rate", "nan"], "--learning-rate: must be a finite number above 0"),
    (["--data-format", "channels_middle"], "--data-format: invalid choice"),
    (["--output", "plot.gif"], "--output plot.gif: the file name must end in"),
    (["--model-path", "model.h5"], "--model-path model.h5: the file name must end in .keras"),
])
def test_bad_flag_values_are_rejected_before_training(args, fragment):
    result = run_script("lenet_mnist.py", *args)
    assert result.returncode == 2
    assert_one_line_error(result, fragment)
    assert "[INFO]" not in result.stdout


def test_unwritable_output_is_rejected_before_training(tmp_path, fixture_npz):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = train_on(fixture_npz, tmp_path, "--output", blocker / "plot.png")
    assert_one_line_error(result, f"--output {blocker / 'plot.png'}: cannot write there")
    assert "[INFO] training" not in result.stdout

    result = train_on(fixture_npz, tmp_path, "--output", tmp_path)
    assert_one_line_error(result, "is a folder")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_one_epoch_end_to_end_on_fixture_data(tmp_path, fixture_npz, data_format):
    import keras

    out = tmp_path / "nested" / "out"  # folders are created
    result = train_on(fixture_npz, out, "--epochs", "1", "--data-format", data_format)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr

    # scikit-learn's report: one row per digit "0".."9" with the fixture's 4 test images each.
    rows = REPORT_ROW.findall(result.stdout)
    assert [digit for digit, _ in rows] == [str(d) for d in range(10)]
    assert all(support == "4" for _, support in rows)
    assert re.search(r"^\s+accuracy\s+[01]\.\d{4}\s+40$", result.stdout, re.M)
    assert ACCURACY.search(result.stdout)

    plot = (out / "plot.png").read_bytes()
    assert plot.startswith(b"\x89PNG\r\n\x1a\n") and len(plot) > 10_000
    model = keras.saving.load_model(out / "lenet.keras")
    assert model.count_params() == 1_256_080
    expected_input = (1, 28, 28) if data_format == "channels_first" else (28, 28, 1)
    assert model.input_shape[1:] == expected_input
    # No temporary files are left beside the outputs.
    assert sorted(p.name for p in out.iterdir()) == ["lenet.keras", "plot.png"]


def test_same_seed_same_run_other_seed_other_run(tmp_path, fixture_npz):
    import keras

    def weights(seed):
        out = tmp_path / f"seed{seed}-{len(list(tmp_path.iterdir()))}"
        result = train_on(fixture_npz, out, "--epochs", "2", "--seed", str(seed))
        assert result.returncode == 0, result.stderr[-2000:]
        return keras.saving.load_model(out / "lenet.keras").get_weights()

    first, again, other = weights(7), weights(7), weights(8)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(first, other))


def test_one_epoch_of_the_book_recipe_on_real_mnist(tmp_path, real_mnist):
    # Measured here: about 90% after one epoch (the full 20 epochs reach about 98.5%).
    result = train_on(real_mnist, tmp_path, "--epochs", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    accuracy = float(ACCURACY.search(result.stdout).group(1))
    assert accuracy >= 88.0, result.stdout[-3000:]
    assert [support for _, support in REPORT_ROW.findall(result.stdout)] == [
        "980", "1135", "1032", "1010", "982", "892", "958", "1028", "974", "1009"]

    # The saved model classifies real test digits handed to predict.py as a user's scans:
    # enlarged 8x, dark ink on white paper, off-centre on a bigger sheet.
    from PIL import Image

    from pyimagesearch.datasets import load_mnist

    _, (test_x, test_y) = load_mnist(real_mnist)
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(40):
        sheet = Image.new("L", (400, 300), 255)
        digit = Image.fromarray(255 - test_x[i]).resize((224, 224), Image.BILINEAR)
        sheet.paste(digit, (150 + i % 20, 40 + i % 30))
        sheet.save(scans / f"{i:02d}_label{test_y[i]}.png")
    result = run_script("predict.py", "--model", tmp_path / "lenet.keras", "--json", scans)
    assert result.returncode == 0, result.stderr[-2000:]
    records = json.loads(result.stdout)
    correct = sum(r["predictions"][0]["digit"] == int(r["file"][-5]) for r in records)
    assert len(records) == 40 and correct >= 32, correct  # about 90% expected after one epoch


def test_ctrl_c_is_one_line_and_writes_nothing(tmp_path, fixture_npz):
    plot = tmp_path / "plot.png"
    status, stderr = interrupt_script("lenet_mnist.py", "--dataset", fixture_npz, "--epochs", "500",
                                      "--output", plot, "--model-path", tmp_path / "lenet.keras")
    assert status == 130 and "Traceback" not in stderr, stderr[-2000:]
    assert [line for line in stderr.splitlines() if ": error: " in line] == [
        "lenet_mnist.py: error: interrupted before training finished; no model or plot written"]
    assert list(tmp_path.iterdir()) == [fixture_npz]
