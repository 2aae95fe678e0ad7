"""What every script shares: flag types, one-line errors, safe output files, seeding.

Nothing here imports TensorFlow at module level, so `--help` and flag errors stay fast.
"""

import argparse
import contextlib
import os
import sys
import tempfile


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one line naming the problem (exit status 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text}")
    return value


def seed_value(text):
    """A --seed: what Keras' set_random_seed accepts, 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be from 0 to 4294967295, got {value}")
    return value


def fail(message, status=1):
    """End the script with one line on stderr and a non-zero exit status."""
    prog = os.path.basename(sys.argv[0]) or "error"
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(status)


def check_output_path(path, suffixes, flag):
    """Make sure `path` can be written before any training starts.

    Creates missing parent folders, then proves the folder is writable with a throw-away
    file. Returns None when fine, else a one-line description of the problem.
    """
    if os.path.isdir(path):
        return f"{flag} {path}: is a folder, expected a file name"
    if os.path.splitext(path)[1].lower() not in suffixes:
        return f"{flag} {path}: the file name must end in {' or '.join(suffixes)}"
    parent = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(parent, exist_ok=True)
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        return f"{flag} {path}: cannot write there ({exc.strerror or exc})"
    return None


def check_output_dir(path, flag):
    """Make sure the folder `path` exists (creating it) and can be written, before any
    training starts. Returns None when fine, else a one-line description of the problem."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        return f"{flag} {path}: cannot write there ({exc.strerror or exc})"
    return None


@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary name beside `path`; if something was written there, rename it onto `path`.

    A crash mid-write leaves the previous file (if any) untouched and no half-written
    file under the final name. The temporary name keeps the suffix, since Keras and
    Matplotlib pick the format from it.
    """
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    stem, suffix = os.path.splitext(os.path.basename(path))
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{stem}.", suffix=f".tmp{suffix}")
    os.close(fd)
    try:
        yield tmp
        if os.path.getsize(tmp) > 0:  # nothing written (e.g. a checkpoint that was skipped): keep the old file
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def seed_everything(seed):
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def quiet_tensorflow():
    """Import TensorFlow without its C++ start-up chatter (CUDA probing on CPU-only machines).

    Those lines are printed before TensorFlow reads TF_CPP_MIN_LOG_LEVEL, so stderr is
    pointed at /dev/null for the import alone; a failing import still raises normally.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
