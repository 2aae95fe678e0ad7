"""Keras callbacks the recipes share."""

import os

import keras

from .cli import atomic_output


class AtomicModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """ModelCheckpoint that writes to a temporary file and renames it into place, so a crash
    mid-save never leaves a half-written file where the previous best model was."""

    def __init__(self, filepath, verbose=0, **kwargs):
        super().__init__(filepath, verbose=0, **kwargs)  # its messages would name the temp file
        self.announce = verbose

    def _save_model(self, epoch, batch, logs):
        final = self.filepath
        before = os.stat(final).st_mtime_ns if os.path.exists(final) else None
        with atomic_output(final) as tmp:
            self.filepath = tmp
            try:
                super()._save_model(epoch, batch, logs)
            finally:
                self.filepath = final
        if self.announce and os.path.exists(final) and os.stat(final).st_mtime_ns != before:
            print(f"\nEpoch {epoch + 1}: {self.monitor} improved to "
                  f"{logs.get(self.monitor):.5f}, model saved to {final}")
