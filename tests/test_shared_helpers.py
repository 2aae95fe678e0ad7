import argparse

import numpy as np
import pytest

from conftest import assert_one_line_error, run_script
from pyimagesearch.cli import atomic_output, check_output_path, positive_float, positive_int
from pyimagesearch.plots import plot_training, training_figure

HISTORY = {"loss": [1.0, 0.5, 0.3], "val_loss": [0.9, 0.6, 0.4],
           "accuracy": [0.6, 0.8, 0.9], "val_accuracy": [0.65, 0.82, 0.88]}


def test_training_figure_is_the_books_plot():
    ax = training_figure(HISTORY).axes[0]
    assert ax.get_title() == "Training Loss and Accuracy"
    assert ax.get_xlabel() == "Epoch #"
    assert ax.get_ylabel() == "Loss/Accuracy"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "train_loss", "val_loss", "train_acc", "val_acc"]
    assert list(ax.lines[0].get_xdata()) == [0, 1, 2]
    assert list(ax.lines[3].get_ydata()) == HISTORY["val_accuracy"]


def test_plot_training_writes_a_png(tmp_path):
    path = tmp_path / "deep" / "plot.png"
    plot_training(HISTORY, str(path))
    assert path.read_bytes().startswith(b"\x89PNG")


def test_atomic_output_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "model.keras"
    path.write_text("the good model")
    with pytest.raises(RuntimeError):
        with atomic_output(str(path)) as tmp:
            with open(tmp, "w") as f:
                f.write("half a mod")
            raise RuntimeError("killed mid-write")
    assert path.read_text() == "the good model"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_atomic_output_replaces_on_success_and_keeps_the_suffix(tmp_path):
    path = tmp_path / "plot.png"
    path.write_text("old")
    with atomic_output(str(path)) as tmp:
        assert tmp.endswith(".png") and tmp != str(path)
        with open(tmp, "w") as f:
            f.write("new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]


def test_check_output_path(tmp_path):
    assert check_output_path(str(tmp_path / "new" / "p.png"), (".png",), "--output") is None
    assert (tmp_path / "new").is_dir()
    assert "must end in .png" in check_output_path(str(tmp_path / "p.txt"), (".png",), "--output")
    (tmp_path / "dir.png").mkdir()
    assert "is a folder" in check_output_path(str(tmp_path / "dir.png"), (".png",), "--output")


@pytest.mark.parametrize("parse, text", [
    (positive_int, "0"), (positive_int, "1.5"), (positive_float, "0"),
    (positive_float, "-1"), (positive_float, "inf"), (positive_float, "nan"), (positive_float, "x"),
])
def test_flag_types_reject(parse, text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)


def test_flag_types_accept():
    assert positive_int("3") == 3
    assert positive_float("1e-3") == 0.001


def test_shuffled_batches_cover_every_image_once_per_epoch_in_a_new_seeded_order():
    from pyimagesearch.speed import shuffled_batches

    images = np.arange(10, dtype="float32").reshape(10, 1) * 10
    labels = np.arange(10, dtype="float32").reshape(10, 1)

    def epochs(seed, count=2):
        dataset = shuffled_batches(images, labels, batch_size=4, seed=seed)
        # One iteration of a Dataset is one epoch, as model.fit iterates it.
        return [[(x.numpy().ravel().tolist(), y.numpy().ravel().tolist()) for x, y in dataset]
                for _ in range(count)]

    first, second = epochs(seed=3)
    for epoch in (first, second):
        assert [len(x) for x, _ in epoch] == [4, 4, 2]
        seen = [v for x, _ in epoch for v in x]
        assert sorted(seen) == [v * 10 for v in range(10)]  # each image once
        assert all(xi == 10 * yi for x, y in epoch for xi, yi in zip(x, y))  # pairs kept
    assert first != second  # reshuffled each epoch
    assert epochs(seed=3) == [first, second]  # the same seed, the same batches
    assert epochs(seed=4) != [first, second]


def test_shuffled_batches_can_bring_every_image_several_times_per_epoch():
    # --distortions: a pass is 10 copies of each digit, distorted afresh each time.
    from pyimagesearch.speed import shuffled_batches

    images = np.arange(10, dtype="float32").reshape(10, 1) * 10
    labels = np.arange(10, dtype="float32").reshape(10, 1)
    dataset = shuffled_batches(images, labels, batch_size=4, seed=3, copies=3)
    epoch = [(x.numpy().ravel().tolist(), y.numpy().ravel().tolist()) for x, y in dataset]
    assert [len(x) for x, _ in epoch] == [4] * 7 + [2]
    seen = [v for x, _ in epoch for v in x]
    assert sorted(seen) == sorted([v * 10 for v in range(10)] * 3)  # each image three times
    assert all(xi == 10 * yi for x, y in epoch for xi, yi in zip(x, y))  # pairs kept
    assert seen[:10] != [v * 10 for v in range(10)]  # the copies are shuffled together


@pytest.mark.parametrize("script", ["lenet_mnist.py", "lenet5_paper.py", "experiments.py"])
def test_out_of_range_seed_is_one_line(script):
    # Keras refuses seeds outside 0..2**32-1 with a traceback; the flag says so first.
    study = ["activation"] if script == "experiments.py" else []
    assert_one_line_error(run_script(script, *study, "--seed", "-1"),
                          "--seed: must be from 0 to 4294967295, got -1")
