"""Chapter 14: train the book's LeNet on MNIST and evaluate it.

    python lenet_mnist.py --output output/plot.png

The book's recipe is the default: pixels / 255, one-hot labels, SGD at 0.01, batch 128,
20 epochs, the test set as validation data. Prints scikit-learn's classification report,
saves the model (.keras) and the loss/accuracy plot.
"""

import sys
import time

from pyimagesearch.cli import (
    ArgumentParser,
    atomic_output,
    check_output_path,
    fail,
    positive_float,
    positive_int,
    quiet_tensorflow,
    seed_everything,
    seed_value,
)
from pyimagesearch.datasets import MNISTError, load_mnist
from pyimagesearch.evaluation import evaluate
from pyimagesearch.preprocessing import DATA_FORMATS, add_channel_axis, one_hot, scale_pixels


def parse_args(argv=None):
    parser = ArgumentParser(description="Train the book's LeNet (ch. 14) on MNIST.")
    parser.add_argument("--dataset", default=None,
                        help="MNIST as a Keras-layout .npz or a folder of the four idx files "
                             "(default: $MNIST_PATH, else download with Keras)")
    parser.add_argument("--output", default="output/plot.png",
                        help="where to write the loss/accuracy plot (default: %(default)s)")
    parser.add_argument("--model-path", default="output/lenet_mnist.keras",
                        help="where to save the trained model (default: %(default)s)")
    parser.add_argument("--epochs", type=positive_int, default=20,
                        help="training epochs (default: %(default)s)")
    parser.add_argument("--batch-size", type=positive_int, default=128,
                        help="minibatch size (default: %(default)s)")
    parser.add_argument("--learning-rate", type=positive_float, default=0.01,
                        help="SGD learning rate (default: %(default)s)")
    parser.add_argument("--seed", type=seed_value, default=42,
                        help="seed for every random number generator (default: %(default)s)")
    parser.add_argument("--data-format", choices=DATA_FORMATS, default="channels_last",
                        help="where the channel axis goes (default: %(default)s)")
    args = parser.parse_args(argv)

    # Refuse unwritable outputs now, not after 20 epochs of training.
    for flag, path, suffixes in (("--output", args.output, (".png", ".pdf", ".svg", ".jpg")),
                                 ("--model-path", args.model_path, (".keras",))):
        problem = check_output_path(path, suffixes, flag)
        if problem:
            parser.error(problem)
    return args


def load_data(dataset, data_format):
    """MNIST scaled to [0, 1] with a channel axis, and one-hot labels."""
    print("[INFO] loading MNIST...")
    (train_x, train_y), (test_x, test_y) = load_mnist(dataset)
    train_x = add_channel_axis(scale_pixels(train_x), data_format)
    test_x = add_channel_axis(scale_pixels(test_x), data_format)
    train_y, test_y, classes = one_hot(train_y, test_y)
    return (train_x, train_y), (test_x, test_y), classes


def train(model, train_data, test_data, args):
    from keras.optimizers import SGD

    print("[INFO] compiling model...")
    model.compile(loss="categorical_crossentropy",
                  optimizer=SGD(learning_rate=args.learning_rate),
                  metrics=["accuracy"])
    print("[INFO] training network...")
    history = model.fit(*train_data, validation_data=test_data,
                        batch_size=args.batch_size, epochs=args.epochs, verbose=1)
    return history.history


def test(model, test_data, classes, batch_size):
    """Print scikit-learn's classification report; return the test accuracy."""
    print("[INFO] evaluating network...")
    accuracy, _, _, report = evaluate(model, *test_data, classes, batch_size=batch_size)
    print(report)
    return accuracy


def main(argv=None):
    args = parse_args(argv)
    try:
        train_data, test_data, classes = load_data(args.dataset, args.data_format)
    except MNISTError as exc:
        fail(str(exc))

    quiet_tensorflow()
    import keras

    from pyimagesearch.nn.conv import LeNet
    from pyimagesearch.nn.inference import with_preprocessing
    from pyimagesearch.plots import plot_training

    seed_everything(args.seed)
    keras.backend.set_image_data_format(args.data_format)
    model = LeNet.build(width=28, height=28, depth=1, classes=len(classes))

    start = time.perf_counter()
    try:
        history = train(model, train_data, test_data, args)
    except KeyboardInterrupt:  # nothing is written before training ends, so nothing is lost
        fail("interrupted before training finished; no model or plot written", status=130)
    train_seconds = time.perf_counter() - start
    accuracy = test(model, test_data, classes, args.batch_size)
    print(f"Test accuracy: {accuracy:.2%}")
    print(f"Training time: {train_seconds:.0f} s for {args.epochs} epoch(s)")

    # The saved model takes raw 0-255 pixels: it carries the /255 scaling itself.
    with atomic_output(args.model_path) as tmp:
        with_preprocessing(model, scale=1 / 255.0, offset=0.0).save(tmp)
    print(f"[INFO] model saved to {args.model_path}")
    plot_training(history, args.output)
    print(f"[INFO] plot saved to {args.output}")


if __name__ == "__main__":
    sys.exit(main())
