"""Seed 004's lab study: its LeNet-5 under SGD with momentum, one setting changed at a time.

Every run is identified by its full configuration and the data it saw, and is written to
`<output-dir>/runs/` as it finishes (model, then a JSON record marking it done), so a study
that is interrupted, or that shares a run with another study, never trains it twice.
Nothing here imports TensorFlow at module level.
"""

import hashlib
import json
import os
import time

import numpy as np

from .cli import atomic_output

# Seed 004's setup: SGD with momentum 0.9, lr 0.01, batches of 64, 10 epochs, test batches
# of 1024; its base network has sigmoid after the pooling layers. Pixels are standardised with
# the training set's mean and std (0.1307, 0.3081 of full scale: the usual PyTorch MNIST
# transform; measured closer to seed 004's first-epoch numbers than plain 0-1 scaling).
# "network" names the builder's layer layout: a finished run is reused only for the same one.
BASE = {"activation": "sigmoid", "learning_rate": 0.01, "batch_size": 64, "momentum": 0.9,
        "test_batch_size": 1024, "pixels": "standardised", "network": "LeNet5 lab, C5 sigmoid"}
EPOCHS = 10
# study -> (the setting it varies, the values seed 004 tried)
STUDIES = {
    "activation": ("activation", ("sigmoid", "tanh", "relu")),
    "learning-rate": ("learning_rate", (0.001, 0.005, 0.01, 0.05, 0.1)),
    "batch-size": ("batch_size", (32, 64, 128, 256, 512)),
}
SETTING_NAMES = {"activation": "activation", "learning_rate": "learning rate",
                 "batch_size": "batch size"}
# Seed 004's test accuracy after epoch 1 -> after epoch 10 (PyTorch, its own GPU machine).
SEED_004 = {
    ("activation", "sigmoid"): "93.42% → 98.70%",
    ("activation", "tanh"): "not run",
    ("activation", "relu"): "≈98% → 99.10% (epoch 9)",
    ("learning_rate", 0.001): "11.35% → 93.61%",
    ("learning_rate", 0.005): "76.11% → 98.31%",
    ("learning_rate", 0.01): "93.42% → 98.70%",
    ("learning_rate", 0.05): "95.95% → 98.80%",
    ("learning_rate", 0.1): "97.65% → 98.56%",
    ("batch_size", 32): "96.28% → 98.49%",
    ("batch_size", 64): "93.42% → 98.70%",
    ("batch_size", 128): "75.92% → 98.18%",
    ("batch_size", 256): "11.35% → 97.24%",
    ("batch_size", 512): "11.35% → 94.81%",
}
GRID_IMAGES = 128  # seed 004 classifies the first 128 test images with its trained model


def run_configs(study, epochs, seed):
    """The configuration of each run of `study`, in seed 004's order."""
    setting, values = STUDIES[study]
    return [{**BASE, setting: value, "epochs": epochs, "seed": seed} for value in values]


def run_name(config):
    return (f"{config['activation']}-lr{config['learning_rate']:g}-bs{config['batch_size']}"
            f"-ep{config['epochs']}-seed{config['seed']}")


def data_fingerprint(arrays):
    """A short hash of the data, so a run is only reused for the same data set."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


class RunStore:
    """Finished runs on disk: `<name>.json` (the record) beside `<name>.keras` (the model)."""

    def __init__(self, folder):
        self.folder = folder

    def paths(self, config):
        base = os.path.join(self.folder, run_name(config))
        return base + ".json", base + ".keras"

    def load(self, config, fingerprint):
        """The finished run with exactly this configuration and data, or None."""
        record_path, model_path = self.paths(config)
        try:
            with open(record_path) as f:
                record = json.load(f)
        except (OSError, ValueError):
            return None  # missing or unreadable: run it (again)
        if (record.get("config") != config or record.get("data") != fingerprint
                or not os.path.exists(model_path)):
            return None
        return record

    def save(self, record, model):
        record_path, model_path = self.paths(record["config"])
        with atomic_output(model_path) as tmp:
            model.save(tmp)
        with atomic_output(record_path) as tmp:  # last: the record says the run is complete
            with open(tmp, "w") as f:
                json.dump(record, f, indent=1)


def train_run(config, data, fingerprint, normalisation, verbose=2):
    """Train seed 004's LeNet-5 with `config`; return (record, model taking raw pixels).

    data: ((train_x, train_y_1hot), (test_x, test_y_1hot)), images already normalised by
    `normalisation`, the (scale, offset) the saved model applies to raw pixels.
    """
    import keras

    from .callbacks import FirstEpochLoss
    from .cli import seed_everything
    from .nn.conv import LeNet5
    from .nn.inference import with_preprocessing

    (train_x, train_y), (test_x, test_y) = data
    seed_everything(config["seed"])  # per run: a run's result does not depend on what ran before
    model = LeNet5.build(28, 28, 1, train_y.shape[1], variant="lab",
                         activation=config["activation"])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=config["learning_rate"],
                                                 momentum=config["momentum"]),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    first_epoch = FirstEpochLoss(config["batch_size"], len(train_x))
    start = time.perf_counter()
    history = model.fit(train_x, train_y, batch_size=config["batch_size"],
                        epochs=config["epochs"], shuffle=True,
                        validation_data=(test_x, test_y),
                        validation_batch_size=config["test_batch_size"],
                        callbacks=[first_epoch], verbose=verbose)
    seconds = time.perf_counter() - start
    record = {
        "config": config,
        "data": fingerprint,
        "test_accuracy": [float(a) for a in history.history["val_accuracy"]],
        "train_loss": [float(v) for v in history.history["loss"]],
        "first_epoch_loss": {"samples": first_epoch.samples_seen, "loss": first_epoch.losses},
        "seconds": seconds,
    }
    return record, with_preprocessing(model, *normalisation)


def markdown_table(study, records):
    """Seed 004's table, one row per setting: test accuracy after the first and last epoch."""
    setting = STUDIES[study][0]
    epochs = records[0]["config"]["epochs"]
    lines = [f"| {SETTING_NAMES[setting]} | test accuracy, epoch 1 → {epochs} | best epoch "
             f"| training time | seed 004, epoch 1 → 10 |",
             "| --- | --- | --- | --- | --- |"]
    for record in records:
        value = record["config"][setting]
        accuracy = record["test_accuracy"]
        best = int(np.argmax(accuracy))
        lines.append(f"| {format_value(value)} | {accuracy[0]:.2%} → {accuracy[-1]:.2%} "
                     f"| {accuracy[best]:.2%} (epoch {best + 1}) | {record['seconds']:.0f} s "
                     f"| {SEED_004.get((setting, value), '—')} |")
    return "\n".join(lines) + "\n"


def format_value(value):
    return value if isinstance(value, str) else f"{value:g}"


def best_record(records):
    """The run with the highest test accuracy after its last epoch (earliest on a tie)."""
    return max(records, key=lambda r: r["test_accuracy"][-1])


def setting_label(study, record):
    setting = STUDIES[study][0]
    value = record["config"][setting]
    return value if isinstance(value, str) else f"{SETTING_NAMES[setting]} {format_value(value)}"


def write_study_outputs(study, records, folder, store, test_images, test_labels):
    """The table, the two plots and the prediction grid of one study; returns their paths.

    test_images are raw 0-255 pixels, as the saved models take them."""
    from . import plots
    from .nn.inference import load_model

    os.makedirs(folder, exist_ok=True)
    paths = {name: os.path.join(folder, name) for name in
             ("results.md", "test_accuracy.png", "first_epoch_loss.png", "predictions.png")}
    with atomic_output(paths["results.md"]) as tmp:
        with open(tmp, "w") as f:
            f.write(f"# {study}\n\n{markdown_table(study, records)}")
    labels = [setting_label(study, r) for r in records]
    plots.save_figure(plots.accuracy_by_epoch_figure(
        {label: r["test_accuracy"] for label, r in zip(labels, records)},
        title=f"Test accuracy per epoch: {study}"), paths["test_accuracy.png"])
    plots.save_figure(plots.loss_curves_figure(
        {label: (r["first_epoch_loss"]["samples"], r["first_epoch_loss"]["loss"])
         for label, r in zip(labels, records)},
        title=f"Training loss during the first epoch: {study}"), paths["first_epoch_loss.png"])

    best = best_record(records)
    images = test_images[:GRID_IMAGES]
    model = load_model(store.paths(best["config"])[1])
    predicted = model.predict(images[..., None].astype("float32"), verbose=0).argmax(axis=1)
    plots.save_figure(plots.prediction_grid_figure(
        images, test_labels[:GRID_IMAGES], predicted,
        title=f"First {len(images)} test images, true/predicted, by the best model "
              f"({setting_label(study, best)}, {best['test_accuracy'][-1]:.2%})"),
        paths["predictions.png"])
    return paths
