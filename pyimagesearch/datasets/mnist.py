"""MNIST from wherever it is: Keras' download, a local .npz, or LeCun's four idx files.

Every script loads MNIST through `load_mnist`. It returns the split as uint8 arrays,
((x_train, y_train), (x_test, y_test)), images shaped (N, 28, 28), labels shaped (N,).
Anything wrong with the source raises `MNISTError` with one line naming the file and the
problem; scripts print that line and exit non-zero.
"""

import gzip
import os
import struct
import zipfile
import zlib

import numpy as np

ENV_VAR = "MNIST_PATH"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

# The file names LeCun's site uses (some mirrors write ".idx3-ubyte" instead of "-idx3-ubyte").
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension

OFFLINE_HINT = (
    "pass --dataset PATH (a Keras-layout mnist.npz or a folder of the four idx files) "
    f"or set {ENV_VAR}"
)


class MNISTError(Exception):
    """A problem with the MNIST source, described in one line."""


def resolve_source(path=None):
    """The source to read: the given path, else $MNIST_PATH, else None (download)."""
    return path or os.environ.get(ENV_VAR) or None


def load_mnist(path=None):
    """Load and validate MNIST from `path`, $MNIST_PATH, or Keras' download, in that order."""
    source = resolve_source(path)
    origin = source or "keras.datasets.mnist"
    try:
        if source is None:
            splits = _download()
        elif os.path.isdir(source):
            splits = _load_idx_folder(source)
        elif os.path.exists(source):
            splits = _load_npz(source)
        else:
            raise MNISTError(f"{source}: no such file or folder")
    except OSError as exc:  # unreadable file, permission denied, I/O error
        raise MNISTError(f"{exc.filename or origin}: {exc.strerror or exc}") from None

    _validate(splits, origin)
    return (splits["x_train"], splits["y_train"]), (splits["x_test"], splits["y_test"])


def _download():
    from ..cli import quiet_tensorflow

    quiet_tensorflow()
    import keras  # imported here so that local loading (and --help) stays fast

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # Keras wraps network failures in a bare Exception
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MNISTError(
            f"keras.datasets.mnist: could not download MNIST ({reason}); {OFFLINE_HINT}"
        ) from None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _describe_bad_bytes(head):
    if head.lstrip().startswith(b"<"):
        return "an HTML/XML page, not data (a failed download saved in place of the file?)"
    if not head:
        return "the file is empty"
    return None


def _load_npz(path):
    with open(path, "rb") as f:
        head = f.read(64)
    if not head.startswith(b"PK"):
        problem = _describe_bad_bytes(head) or "not an .npz file (no zip header)"
        raise MNISTError(f"{path}: {problem}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in NPZ_KEYS if k not in npz.files]
            if missing:
                raise MNISTError(
                    f"{path}: missing array(s) {', '.join(missing)}; "
                    f"a Keras-layout MNIST .npz holds {', '.join(NPZ_KEYS)}"
                )
            return {k: npz[k] for k in NPZ_KEYS}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise MNISTError(f"{path}: corrupt or truncated .npz ({exc})") from None
    except ValueError as exc:  # e.g. pickled object arrays, refused by allow_pickle=False
        raise MNISTError(f"{path}: unreadable array in .npz ({exc})") from None


def _find_idx_file(folder, name):
    variants = (name, name.replace("-idx", ".idx"))
    for base in variants:
        for candidate in (base + ".gz", base):
            full = os.path.join(folder, candidate)
            if os.path.isfile(full):
                return full
    raise MNISTError(
        f"{os.path.join(folder, name)}[.gz]: not found; a MNIST idx folder holds "
        + ", ".join(n + ".gz" for n in IDX_FILES.values())
    )


def _read_maybe_gzipped(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\x1f\x8b":
        if path.endswith(".gz"):
            problem = _describe_bad_bytes(data[:64]) or "not a gzip file"
            raise MNISTError(f"{path}: {problem}")
        return data
    try:
        return gzip.decompress(data)
    except EOFError:
        raise MNISTError(f"{path}: truncated gzip file (it ends before its end-of-stream marker)") from None
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise MNISTError(f"{path}: corrupt gzip file ({exc})") from None


def _parse_idx(path, expected_magic):
    data = _read_maybe_gzipped(path)
    ndim = 3 if expected_magic == IDX_IMAGES_MAGIC else 1
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        problem = _describe_bad_bytes(data[:64]) or f"only {len(data)} bytes, shorter than an idx header"
        raise MNISTError(f"{path}: {problem}")
    (magic,) = struct.unpack(">I", data[:4])
    if magic != expected_magic:
        problem = _describe_bad_bytes(data[:64]) or (
            f"wrong idx magic number 0x{magic:08x} (expected 0x{expected_magic:08x})"
        )
        raise MNISTError(f"{path}: {problem}")
    dims = struct.unpack(">" + "I" * ndim, data[4:header_size])
    expected_bytes = header_size + int(np.prod(dims))
    if len(data) != expected_bytes:
        raise MNISTError(
            f"{path}: header declares shape {dims} ({expected_bytes} bytes) "
            f"but the file holds {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(dims)


def _load_idx_folder(folder):
    splits = {}
    for key, name in IDX_FILES.items():
        magic = IDX_IMAGES_MAGIC if key.startswith("x") else IDX_LABELS_MAGIC
        splits[key] = _parse_idx(_find_idx_file(folder, name), magic)
    return splits


def _validate(splits, origin):
    for split in ("train", "test"):
        x, y = splits["x_" + split], splits["y_" + split]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise MNISTError(f"{origin}: x_{split} has shape {x.shape}, expected (N, 28, 28)")
        if x.dtype != np.uint8:
            raise MNISTError(f"{origin}: x_{split} has dtype {x.dtype}, expected uint8 pixels")
        if y.ndim != 1:
            raise MNISTError(f"{origin}: y_{split} has shape {y.shape}, expected (N,)")
        if not np.issubdtype(y.dtype, np.integer):
            raise MNISTError(f"{origin}: y_{split} has dtype {y.dtype}, expected integer labels")
        if len(x) != len(y):
            raise MNISTError(
                f"{origin}: {len(x)} {split} images but {len(y)} {split} labels"
            )
        if len(x) == 0:
            raise MNISTError(f"{origin}: the {split} split is empty")
        if y.min() < 0 or y.max() > 9:
            raise MNISTError(
                f"{origin}: y_{split} holds labels from {y.min()} to {y.max()}, expected 0-9"
            )
        splits["y_" + split] = y.astype(np.uint8)
