import gzip
import zipfile

import numpy as np
import pytest

from conftest import (IDX_NAMES, assert_one_line_error, idx_bytes, run_script, synthetic_mnist,
                      write_idx_folder, write_npz)
from pyimagesearch.datasets import MNISTError, load_mnist
from pyimagesearch.datasets import mnist as mnist_module

HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n"


def assert_same_split(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"), (y_test, "y_test")):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, arrays[key])


# --- the three sources -------------------------------------------------------------

def test_npz_in_keras_layout(tmp_path):
    arrays = synthetic_mnist()
    assert_same_split(load_mnist(str(write_npz(tmp_path / "m.npz", arrays))), arrays)


@pytest.mark.parametrize("gzipped", [True, False])
def test_idx_folder_gzipped_or_raw(tmp_path, gzipped):
    arrays = synthetic_mnist()
    folder = write_idx_folder(tmp_path / "idx", arrays, gzipped=gzipped)
    assert_same_split(load_mnist(str(folder)), arrays)


def test_idx_folder_with_dotted_names(tmp_path):
    # Several mirrors name the files train-images.idx3-ubyte etc.
    arrays = synthetic_mnist()
    folder = write_idx_folder(tmp_path / "idx", arrays, gzipped=False)
    for name in IDX_NAMES.values():
        (folder / name).rename(folder / name.replace("-idx", ".idx"))
    assert_same_split(load_mnist(str(folder)), arrays)


def test_integer_labels_of_any_width_become_uint8(tmp_path):
    arrays = synthetic_mnist()
    arrays["y_train"] = arrays["y_train"].astype(np.int64)
    (_, y_train), _ = load_mnist(str(write_npz(tmp_path / "m.npz", arrays)))
    assert y_train.dtype == np.uint8


# --- where the source comes from -----------------------------------------------------

def test_mnist_path_variable_is_used_when_no_path_is_given(tmp_path, monkeypatch):
    arrays = synthetic_mnist()
    monkeypatch.setenv("MNIST_PATH", str(write_npz(tmp_path / "env.npz", arrays)))
    assert_same_split(load_mnist(), arrays)


def test_explicit_path_wins_over_mnist_path(tmp_path, monkeypatch):
    arrays = synthetic_mnist()
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "does-not-exist.npz"))
    assert_same_split(load_mnist(str(write_npz(tmp_path / "m.npz", arrays))), arrays)


def test_no_source_downloads_with_keras(monkeypatch):
    import keras

    arrays = synthetic_mnist()
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (
        (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])))
    assert_same_split(load_mnist(), arrays)


def test_no_network_names_the_way_out(monkeypatch):
    import keras

    def offline():
        raise Exception("URL fetch failure on https://storage.googleapis.com/mnist.npz: None -- "
                        "[Errno -3] Temporary failure in name resolution")

    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MNISTError, match="could not download MNIST.*--dataset") as info:
        load_mnist()
    assert "\n" not in str(info.value)


# --- what is wrong with the file, each in one line -------------------------------------

def corrupt_npz(tmp_path, **changes):
    arrays = synthetic_mnist()
    arrays.update(changes)
    return write_npz(tmp_path / "bad.npz", {k: v for k, v in arrays.items() if v is not None})


def written(path, data):
    path.write_bytes(data)
    return path


def truncated(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.npz", "no such file or folder"),
    (lambda p: written(p / "empty.npz", b""), "empty"),
    (lambda p: written(p / "notes.npz", b"just text"), "not an .npz"),
    (lambda p: written(p / "page.npz", HTML_PAGE), "HTML"),
    (lambda p: truncated(corrupt_npz(p)), "corrupt or truncated"),
    (lambda p: corrupt_npz(p, x_test=None), "missing array(s) x_test"),
    (lambda p: corrupt_npz(p, x_train=np.zeros((5, 32, 32), np.uint8),
                           y_train=np.zeros(5, np.uint8)), "expected (N, 28, 28)"),
    (lambda p: corrupt_npz(p, x_train=np.zeros((10, 28, 28), np.float32),
                           y_train=np.zeros(10, np.uint8)), "expected uint8 pixels"),
    (lambda p: corrupt_npz(p, y_test=np.full(40, 10, np.uint8)), "expected 0-9"),
    (lambda p: corrupt_npz(p, y_train=np.zeros(7, np.uint8)), "120 train images but 7 train labels"),
    (lambda p: corrupt_npz(p, y_train=np.array([{"a": 1}] * 120, dtype=object)),
     "unreadable array"),
])
def test_bad_npz_is_one_clear_line(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(MNISTError) as info:
        load_mnist(str(path))
    text = str(info.value)
    assert str(path) in text and message in text and "\n" not in text


def idx_folder_with(tmp_path, name, data):
    folder = write_idx_folder(tmp_path / "idx", synthetic_mnist())
    for stale in (folder / name, folder / (name + ".gz")):
        stale.unlink(missing_ok=True)
    target = folder / name
    target.write_bytes(data)
    return folder, target


def labels_bytes(n=120):
    return idx_bytes((np.arange(n) % 10).astype(np.uint8))


@pytest.mark.parametrize("name, data, message", [
    ("train-labels-idx1-ubyte.gz", gzip.compress(labels_bytes())[:-20], "truncated gzip"),
    ("train-labels-idx1-ubyte.gz", HTML_PAGE, "HTML"),
    ("train-labels-idx1-ubyte.gz", b"garbage that is not gzip", "not a gzip file"),
    ("train-labels-idx1-ubyte", HTML_PAGE, "HTML"),
    ("train-labels-idx1-ubyte", b"\x00\x00\x08\x03" + labels_bytes()[4:], "wrong idx magic number"),
    ("train-labels-idx1-ubyte", labels_bytes()[:-3], "header declares shape (120,)"),
    ("train-labels-idx1-ubyte", labels_bytes() + b"\x00", "but the file holds 129 bytes"),
    ("train-labels-idx1-ubyte", b"\x00\x00", "shorter than an idx header"),
    ("train-labels-idx1-ubyte", labels_bytes(100), "120 train images but 100 train labels"),
])
def test_bad_idx_file_is_one_clear_line(tmp_path, name, data, message):
    folder, target = idx_folder_with(tmp_path, name, data)
    with pytest.raises(MNISTError) as info:
        load_mnist(str(folder))
    text = str(info.value)
    assert message in text and "\n" not in text
    # The message names the file at fault (or, for a consistency check, the folder).
    assert str(target) in text or str(folder) in text


def test_idx_folder_missing_a_file(tmp_path):
    folder = write_idx_folder(tmp_path / "idx", synthetic_mnist())
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(MNISTError, match="t10k-images-idx3-ubyte.*not found"):
        load_mnist(str(folder))


def test_idx_images_with_wrong_declared_size(tmp_path):
    images = np.zeros((120, 28, 28), np.uint8)
    data = idx_bytes(images)
    data = data[:8] + (27).to_bytes(4, "big") + data[12:]  # claims 27 rows per image
    folder, _ = idx_folder_with(tmp_path, "train-images-idx3-ubyte", data)
    with pytest.raises(MNISTError, match=r"header declares shape \(120, 27, 28\)"):
        load_mnist(str(folder))


def test_unreadable_file_is_one_clear_line(tmp_path, monkeypatch):
    path = write_npz(tmp_path / "m.npz", synthetic_mnist())

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(mnist_module, "open", denied, raising=False)
    with pytest.raises(MNISTError, match="Permission denied"):
        load_mnist(str(path))


def test_zip_that_is_not_an_npz(tmp_path):
    path = tmp_path / "archive.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(MNISTError, match="missing array"):
        load_mnist(str(path))


# --- the scripts turn these into one line and a non-zero exit ----------------------------

@pytest.mark.parametrize("make, fragment", [
    (lambda p: p / "nowhere.npz", "no such file or folder"),
    (lambda p: written(p / "page.npz", HTML_PAGE), "HTML"),
    (lambda p: truncated(corrupt_npz(p)), "corrupt or truncated"),
])
def test_script_reports_bad_dataset_without_traceback(tmp_path, make, fragment):
    path = make(tmp_path)
    result = run_script("lenet_mnist.py", "--dataset", path, "--epochs", "1",
                        "--output", tmp_path / "plot.png", "--model-path", tmp_path / "m.keras")
    assert_one_line_error(result, str(path), fragment)
    assert not (tmp_path / "plot.png").exists()


def test_script_uses_mnist_path_variable(tmp_path):
    result = run_script("lenet_mnist.py", "--epochs", "1", "--output", tmp_path / "plot.png",
                        "--model-path", tmp_path / "m.keras",
                        env={"MNIST_PATH": str(tmp_path / "from-env.npz")})
    assert_one_line_error(result, "from-env.npz", "no such file or folder")
