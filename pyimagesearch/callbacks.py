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


class FirstEpochLoss(keras.callbacks.Callback):
    """The training loss of each batch of the first epoch, against the samples seen so far
    (seed 004's curve).

    Keras logs the epoch's running mean of the loss, weighted by batch size; each batch's own
    loss is the difference of successive running totals. With steps_per_execution > 1 Keras
    reports once per execution, and each point is the mean over those batches.
    """

    def __init__(self, batch_size, samples):
        super().__init__()
        self.batch_size = batch_size
        self.samples = samples
        self.samples_seen, self.losses = [], []
        self._epoch = None
        self._seen, self._total = 0, 0.0  # samples and summed loss so far this epoch

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._epoch != 0:
            return
        seen = min((batch + 1) * self.batch_size, self.samples)
        total = float(logs["loss"]) * seen
        self.losses.append((total - self._total) / (seen - self._seen))
        self.samples_seen.append(seen)
        self._seen, self._total = seen, total
