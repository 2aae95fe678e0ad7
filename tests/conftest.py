"""Shared test helpers: tiny MNIST-shaped fixture files, script runner, real-data locator.

No MNIST bytes live in this repository: fixture files are synthetic and written per test.
"""

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_NPZ = REPO.parent / "shared" / "datasets" / "mnist.npz"


def synthetic_split(n, seed, learnable=False):
    """n random 28x28 uint8 'digits' with labels cycling through 0-9 (every class present).

    With `learnable`, each image is faint noise plus a bright 6x6 block whose place encodes
    the label, so a network can reach high accuracy in a few epochs and an accuracy check
    means something.
    """
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 10).astype(np.uint8)
    if not learnable:
        return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), labels
    images = rng.integers(0, 60, size=(n, 28, 28), dtype=np.uint8)
    for image, label in zip(images, labels):
        row, col = 4 + (label // 5) * 12, 1 + (label % 5) * 5
        image[row:row + 6, col:col + 6] = 255
    return images, labels


def synthetic_mnist(n_train=120, n_test=40, learnable=False):
    (x_train, y_train), (x_test, y_test) = (synthetic_split(n_train, 0, learnable),
                                            synthetic_split(n_test, 1, learnable))
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def write_npz(path, arrays):
    np.savez(path, **arrays)
    return path


def idx_bytes(array):
    """The idx encoding of a uint8 array: magic 0x0000 08 <ndim>, big-endian dims, data."""
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.tobytes()


IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def write_idx_folder(folder, arrays, gzipped=True):
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in IDX_NAMES.items():
        data = idx_bytes(arrays[key])
        if gzipped:
            (folder / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def fixture_npz(tmp_path):
    return write_npz(tmp_path / "mnist.npz", synthetic_mnist())


def run_script(script, *args, env=None, timeout=600):
    """Run one of the repository's scripts as a user would; returns CompletedProcess."""
    full_env = {k: v for k, v in os.environ.items() if k != "MNIST_PATH"}
    full_env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(REPO / script), *map(str, args)],
        cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


def assert_one_line_error(result, *fragments):
    """A user's mistake: non-zero exit, one line on stderr naming it, no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def real_mnist():
    """Path to the real MNIST: $MNIST_PATH, else ../shared/datasets/mnist.npz.

    Skips when absent on a developer's machine, but fails under CI=true: a CI run that
    silently skipped the real-data test would prove nothing.
    """
    path = os.environ.get("MNIST_PATH") or str(SHARED_NPZ)
    if not os.path.exists(path):
        message = f"real MNIST not found at {path} (set MNIST_PATH)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def interrupt_script(script, *args, after="Epoch 2/", timeout=300):
    """Start a script, press Ctrl-C (SIGINT) once `after` appears on its stdout, and return
    (exit status, stderr)."""
    import signal

    env = {k: v for k, v in os.environ.items() if k != "MNIST_PATH"}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, str(REPO / script), *map(str, args)], cwd=REPO,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        for line in process.stdout:
            if after in line:
                process.send_signal(signal.SIGINT)
                break
        _, stderr = process.communicate(timeout=timeout)
    finally:
        process.kill()
    return process.returncode, stderr
