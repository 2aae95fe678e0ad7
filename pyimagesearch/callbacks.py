"""Keras callbacks the recipes share."""

import keras

from .cli import atomic_output


class AtomicModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """ModelCheckpoint that writes to a temporary file and renames it into place, so a crash
    mid-save never leaves a half-written file where the previous best model was."""

    def _save_model(self, epoch, batch, logs):
        final = self.filepath
        with atomic_output(final) as tmp:
            self.filepath = tmp
            try:
                super()._save_model(epoch, batch, logs)
            finally:
                self.filepath = final
