"""experiments.py: seed 004's studies at tiny size, their tables and plots, skip-on-rerun."""

import json

import keras
import numpy as np
import pytest

from conftest import (assert_one_line_error, interrupt_script, run_script, synthetic_mnist,
                      write_npz)
from pyimagesearch import experiments
from pyimagesearch.callbacks import FirstEpochLoss


@pytest.mark.parametrize("steps_per_execution, expected_points", [(1, [8, 16, 24, 30]), (2, [16, 30])])
def test_first_epoch_loss_is_each_batchs_own_loss(steps_per_execution, expected_points):
    # With a learning rate of 0 the weights never move, so each batch's loss can be computed
    # independently and compared with what the callback recovers from Keras' running mean.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 5)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, 30), 3)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="categorical_crossentropy",
                  steps_per_execution=steps_per_execution)
    recorder = FirstEpochLoss(batch_size=8, samples=30)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, callbacks=[recorder], verbose=0)

    per_sample = keras.losses.categorical_crossentropy(y, model.predict(x, verbose=0))
    per_sample = np.asarray(per_sample)
    assert recorder.samples_seen == expected_points  # first epoch only, last batch of 6
    bounds = [0] + expected_points
    expected = [per_sample[a:b].mean() for a, b in zip(bounds, bounds[1:])]
    np.testing.assert_allclose(recorder.losses, expected, rtol=1e-4)


def record(value, accuracy, seconds=12.3, study="learning-rate"):
    setting = experiments.STUDIES[study][0]
    config = {**experiments.BASE, setting: value, "epochs": len(accuracy), "seed": 42}
    return {"config": config, "test_accuracy": accuracy, "seconds": seconds}


def test_markdown_table_has_seed_004s_form_and_numbers():
    table = experiments.markdown_table("learning-rate", [
        record(0.001, [0.1135, 0.5, 0.9361]), record(0.1, [0.9765, 0.99, 0.9856], seconds=40)])
    assert table.splitlines() == [
        "| learning rate | test accuracy, epoch 1 → 3 | best epoch | training time "
        "| seed 004, epoch 1 → 10 |",
        "| --- | --- | --- | --- | --- |",
        "| 0.001 | 11.35% → 93.61% | 93.61% (epoch 3) | 12 s | 11.35% → 93.61% |",
        "| 0.1 | 97.65% → 98.56% | 99.00% (epoch 2) | 40 s | 97.65% → 98.56% |",
    ]


def test_every_study_varies_one_setting_from_seed_004s_base():
    for study, (setting, values) in experiments.STUDIES.items():
        configs = experiments.run_configs(study, epochs=10, seed=1)
        assert [c[setting] for c in configs] == list(values)
        for config in configs:
            others = {k: v for k, v in config.items() if k not in (setting, "epochs", "seed")}
            assert others == {k: v for k, v in experiments.BASE.items() if k != setting}
    assert experiments.BASE == {"activation": "sigmoid", "learning_rate": 0.01, "batch_size": 64,
                                "momentum": 0.9, "test_batch_size": 1024,
                                "pixels": "standardised", "network": "LeNet5 lab, C5 sigmoid"}


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory):
    return write_npz(tmp_path_factory.mktemp("data") / "mnist.npz",
                     synthetic_mnist(n_train=300, n_test=150, learnable=True))


def outputs(folder):
    return {p.name for p in folder.iterdir()}


def test_all_studies_write_tables_plots_and_skip_finished_runs(tmp_path, tiny_npz):
    out = tmp_path / "exp"
    result = run_script("experiments.py", "all", "--epochs", "4", "--dataset", tiny_npz,
                        "--output-dir", out)
    assert result.returncode == 0, result.stderr[-3000:]

    # 3 + 5 + 5 runs, but seed 004's base run (sigmoid, lr 0.01, batch 64) is shared by all three.
    records = sorted((out / "runs").glob("*.json"))
    assert len(records) == 11 and len(list((out / "runs").glob("*.keras"))) == 11
    assert result.stdout.count(": training ") == 11
    assert result.stdout.count("sigmoid-lr0.01-bs64-ep4-seed42 already done") == 2

    for study, (setting, values) in experiments.STUDIES.items():
        folder = out / study
        assert outputs(folder) == {"results.md", "test_accuracy.png", "first_epoch_loss.png",
                                   "predictions.png"}
        for png in ("test_accuracy.png", "first_epoch_loss.png", "predictions.png"):
            assert (folder / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        rows = [line for line in (folder / "results.md").read_text().splitlines()
                if line.startswith("| ") and "---" not in line][1:]
        assert [row.split(" | ")[0][2:] for row in rows] == [
            v if isinstance(v, str) else f"{v:g}" for v in values]

    one = json.loads((out / "runs" / "relu-lr0.01-bs64-ep4-seed42.json").read_text())
    assert len(one["test_accuracy"]) == 4 and all(0 <= a <= 1 for a in one["test_accuracy"])
    # The first epoch's loss, batch by batch: 300 images in batches of 64.
    assert one["first_epoch_loss"]["samples"] == [64, 128, 192, 256, 300]
    assert all(np.isfinite(one["first_epoch_loss"]["loss"]))
    # The fixture is learnable: the table is about a model that learned something (four
    # epochs: the sigmoid C5 of seed 004's network needs more than two on 300 images).
    assert max(json.loads(p.read_text())["test_accuracy"][-1] for p in records) >= 0.9

    # Re-run after losing one record: only that run trains again, the rest are reused as is.
    before = {p.name: p.read_bytes() for p in records}
    (out / "runs" / "tanh-lr0.01-bs64-ep4-seed42.json").unlink()
    again = run_script("experiments.py", "activation", "--epochs", "4", "--dataset", tiny_npz,
                       "--output-dir", out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.count(": training ") == 1 and "training tanh-lr0.01" in again.stdout
    assert again.stdout.count("already done") == 2
    for name, content in before.items():
        if not name.startswith("tanh"):
            assert (out / "runs" / name).read_bytes() == content
    # Same seed, same run: the retrained record matches the one it replaces.
    retrained = json.loads((out / "runs" / "tanh-lr0.01-bs64-ep4-seed42.json").read_text())
    assert retrained["test_accuracy"] == json.loads(before["tanh-lr0.01-bs64-ep4-seed42.json"])[
        "test_accuracy"]


def test_a_run_on_other_data_is_not_reused(tmp_path, tiny_npz):
    out = tmp_path / "exp"
    other = write_npz(tmp_path / "other.npz", synthetic_mnist(n_train=200, n_test=50, learnable=True))
    for data in (tiny_npz, other):
        result = run_script("experiments.py", "activation", "--epochs", "1", "--dataset", data,
                            "--output-dir", out)
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.count(": training ") == 3


@pytest.mark.parametrize("args, fragment", [
    (["dropout"], "invalid choice: 'dropout'"),
    ([], "the following arguments are required: STUDY"),
    (["activation", "--epochs", "0"], "--epochs: must be at least 1"),
])
def test_bad_flags_one_line(args, fragment):
    assert_one_line_error(run_script("experiments.py", *args), fragment)


def test_bad_dataset_one_line(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"not a zip file")
    assert_one_line_error(run_script("experiments.py", "activation", "--dataset", bad,
                                     "--output-dir", tmp_path / "out"), str(bad))


def test_unwritable_output_dir_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_one_line_error(run_script("experiments.py", "activation", "--output-dir",
                                     blocker / "sub"), "--output-dir")


def test_ctrl_c_keeps_finished_runs_and_says_how_to_go_on(tmp_path, tiny_npz):
    out = tmp_path / "exp"
    status, stderr = interrupt_script("experiments.py", "activation", "--epochs", "60",
                                      "--dataset", tiny_npz, "--output-dir", out,
                                      after="training tanh")
    assert status == 130 and "Traceback" not in stderr, stderr[-2000:]
    assert "run the same command again to go on" in stderr
    # The sigmoid run had finished; the interrupted tanh run left nothing half-written.
    assert sorted(p.name for p in (out / "runs").iterdir()) == [
        "sigmoid-lr0.01-bs64-ep60-seed42.json", "sigmoid-lr0.01-bs64-ep60-seed42.keras"]
