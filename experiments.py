"""Seed 004's LeNet-5 lab study in Keras: activations, learning rates, batch sizes.

    python experiments.py activation          # sigmoid, tanh, ReLU
    python experiments.py learning-rate       # 0.001, 0.005, 0.01, 0.05, 0.1
    python experiments.py batch-size          # 32, 64, 128, 256, 512
    python experiments.py all

Each run is seed 004's setup with one setting changed: SGD (momentum 0.9, lr 0.01), batches
of 64, 10 epochs, the test set scored after every epoch in batches of 1024, pixels
standardised with the training set's mean and std. Finished runs are
kept in <output-dir>/runs/ and skipped when the same command (or another study sharing the
run) comes again. Per study, <output-dir>/<study>/ gets results.md (seed 004's table with its
numbers beside), test_accuracy.png, first_epoch_loss.png and predictions.png (the first 128
test images classified by the study's best model).
"""

import os
import sys

from pyimagesearch.cli import (ArgumentParser, check_output_dir, fail, positive_int,
                               quiet_tensorflow, seed_value)
from pyimagesearch.datasets import MNISTError, load_mnist
from pyimagesearch.experiments import EPOCHS, STUDIES


def parse_args(argv=None):
    parser = ArgumentParser(description="Run seed 004's LeNet-5 studies: each setting trained "
                                        "with everything else at seed 004's values.")
    parser.add_argument("studies", nargs="+", choices=(*STUDIES, "all"), metavar="STUDY",
                        help=f"one or more of {', '.join(STUDIES)}, or all")
    parser.add_argument("--dataset", default=None,
                        help="MNIST as a Keras-layout .npz or a folder of the four idx files "
                             "(default: $MNIST_PATH, else download with Keras)")
    parser.add_argument("--output-dir", default="output/experiments",
                        help="folder for runs, tables and plots (default: %(default)s)")
    parser.add_argument("--epochs", type=positive_int, default=EPOCHS,
                        help="epochs per run (default: %(default)s, as seed 004)")
    parser.add_argument("--seed", type=seed_value, default=42,
                        help="seed for every random number generator (default: %(default)s)")
    args = parser.parse_args(argv)
    args.studies = list(STUDIES) if "all" in args.studies else list(dict.fromkeys(args.studies))
    problem = check_output_dir(args.output_dir, "--output-dir")
    if problem:
        parser.error(problem)
    return args


def load_data(dataset):
    """Standardised images with a channel axis and one-hot labels; the raw arrays; and the
    (scale, offset) applied, which saved models carry so that they take raw pixels."""
    from pyimagesearch.preprocessing import network_input

    print("[INFO] loading MNIST...")
    split = load_mnist(dataset)
    data, _, normalisation = network_input(split, "channels_last")
    (train_x, train_y), (test_x, test_y) = split
    return data, (train_x, train_y, test_x, test_y), normalisation


def run_study(study, args, data, raw, normalisation, fingerprint, store):
    """Train (or reuse) every run of `study`, then write its table and plots."""
    from pyimagesearch import experiments

    records = []
    for config in experiments.run_configs(study, args.epochs, args.seed):
        name = experiments.run_name(config)
        record = store.load(config, fingerprint)
        if record is None:
            print(f"[INFO] {study}: training {name}...")
            record, model = experiments.train_run(config, data, fingerprint, normalisation)
            store.save(record, model)
        else:
            print(f"[INFO] {study}: {name} already done, reusing {store.paths(config)[0]}")
        records.append(record)

    folder = os.path.join(args.output_dir, study)
    paths = experiments.write_study_outputs(study, records, folder, store, raw[2], raw[3])
    print(experiments.markdown_table(study, records))
    print("[INFO] wrote " + ", ".join(paths.values()))


def main(argv=None):
    args = parse_args(argv)
    try:
        data, raw, normalisation = load_data(args.dataset)
    except MNISTError as exc:
        fail(str(exc))

    quiet_tensorflow()
    from pyimagesearch.experiments import RunStore, data_fingerprint

    fingerprint = data_fingerprint(raw)
    store = RunStore(os.path.join(args.output_dir, "runs"))
    try:
        for study in args.studies:
            run_study(study, args, data, raw, normalisation, fingerprint, store)
    except KeyboardInterrupt:
        fail("interrupted; finished runs are kept: run the same command again to go on",
             status=130)
    return 0


if __name__ == "__main__":
    sys.exit(main())
