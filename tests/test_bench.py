"""The benchmark runs at tiny sizes and writes what it promises; no speed is asserted here."""

import json

from conftest import assert_one_line_error, run_script


def test_quick_benchmark_writes_every_measurement(tmp_path):
    out = tmp_path / "bench" / "benchmark.json"
    result = run_script("bench.py", "--quick", "--steps", "2", "--output", out)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text())
    assert set(report["versions"]) == {"tensorflow", "keras", "numpy", "python"}
    assert report["matmul_gflops"] > 0 and report["cpu"]
    assert [m["model"] for m in report["models"]] == [
        "book LeNet (ch. 14)", "LeNet-5 paper", "LeNet-5 d2l", "LeNet-5 relu-max", "LeNet-5 1998"]
    book = report["models"][0]
    # Forward FLOPs of the book's LeNet from its layers: conv 0.784M + 9.8M, dense 2.45M + 10k.
    assert book["forward_flops"] == 2 * (25 * 20 * 784 + 25 * 20 * 50 * 196 + 2450 * 500 + 500 * 10)
    for model in report["models"]:
        for key in ("train_images_per_s_plain_fit", "train_images_per_s_recipe",
                    "inference_images_per_s", "one_image_ms"):
            assert model[key] > 0, (model["model"], key)
        assert model["recipe_speedup"] == model["train_images_per_s_recipe"] / model[
            "train_images_per_s_plain_fit"]
    assert set(report["help_seconds"]) == {"lenet_mnist.py", "lenet5_paper.py", "predict.py",
                                           "bench.py"}
    assert "matmul ceiling" in result.stdout


def test_bad_output_is_one_line(tmp_path):
    assert_one_line_error(run_script("bench.py", "--output", tmp_path / "b.txt"), "must end in .json")


def test_bad_worker_arguments_are_one_line():
    assert_one_line_error(run_script("bench.py", "--train-worker", "9", "fast"), "--train-worker")
