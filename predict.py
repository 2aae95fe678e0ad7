"""Classify your own handwritten digits with a model trained by this repository.

    python predict.py --model output/lenet5_paper_seed.keras my_digit.png scans/

Each image (any size, dark ink on light paper or the reverse) is converted the MNIST way:
grayscale, inverted if the background is light, cropped to the digit, fitted into 20x20 and
centred by centre of mass in 28x28. The saved models carry their own normalisation, so raw
pixels go straight in.
"""

import json
import os
import sys

from pyimagesearch.cli import ArgumentParser, fail, positive_int, quiet_tensorflow
from pyimagesearch.digits import IMAGE_SUFFIXES, DigitImageError, read_grayscale, to_mnist


def parse_args(argv=None):
    parser = ArgumentParser(description="Classify digit images with a trained LeNet model.")
    parser.add_argument("--model", required=True,
                        help="a .keras model saved by lenet_mnist.py or lenet5_paper.py")
    parser.add_argument("images", nargs="+", metavar="IMAGE_OR_FOLDER",
                        help="image files, or folders whose image files are all classified")
    parser.add_argument("--top-k", type=positive_int, default=1,
                        help="how many most likely digits to print per image (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    return parser.parse_args(argv)


def expand(paths):
    """Files as given; folders replaced by their image files, sorted by name."""
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.lower().endswith(IMAGE_SUFFIXES) and not name.startswith("."):
                    yield os.path.join(path, name)
        else:
            yield path


def load_model(path):
    from pyimagesearch.nn.inference import load_model as load_saved_model

    if not os.path.isfile(path):
        fail(f"--model {path}: no such file")
    try:
        return load_saved_model(path)
    except Exception as exc:  # Keras raises ValueError, OSError, zipfile errors...
        fail(f"--model {path}: cannot load a Keras model ({str(exc).splitlines()[0][:200]})")


def to_model_input(digits, model):
    """Stack 28x28 uint8 digits into the model's input layout, as raw 0-255 floats."""
    import numpy as np

    batch = np.stack(digits).astype("float32")
    channels_first = model.input_shape[1] == 1
    return batch[:, None] if channels_first else batch[..., None]


def main(argv=None):
    args = parse_args(argv)
    paths = list(expand(args.images))
    if not paths:
        fail(f"no image files in {', '.join(args.images)} (looked for {' '.join(IMAGE_SUFFIXES)})")
    quiet_tensorflow()
    model = load_model(args.model)

    results, digits = [], []
    for path in paths:
        try:
            digits.append(to_mnist(read_grayscale(path)))
            results.append({"file": path})
        except DigitImageError as exc:
            message = str(exc) if str(exc).startswith(path) else f"{path}: {exc}"
            results.append({"file": path, "error": message})
            print(f"predict.py: error: {message}", file=sys.stderr)

    if digits:
        probabilities = model.predict(to_model_input(digits, model), verbose=0)
        readable = (r for r in results if "error" not in r)
        for result, probs in zip(readable, probabilities):
            ranked = probs.argsort()[::-1][: args.top_k]
            result["predictions"] = [{"digit": int(d), "probability": float(probs[d])}
                                     for d in ranked]

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            if "predictions" in result:
                guesses = ", ".join(f"{p['digit']} ({p['probability']:.3f})"
                                    for p in result["predictions"])
                print(f"{result['file']}: {guesses}")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
