"""A photo or scan of one handwritten digit, turned into a 28x28 image the way MNIST was made.

MNIST digits are light ink on a dark background, size-normalised to fit a 20x20 box (aspect
ratio kept, anti-aliased) and placed in a 28x28 image so that their centre of mass is at the
centre. `to_mnist` does the same to a user's image of any size and polarity.
"""

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class DigitImageError(Exception):
    """An image that cannot be read or holds no digit, described in one line."""


def read_grayscale(path):
    """The image at `path` as a float array in [0, 255]; transparency is laid on white."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                image = image.convert("RGBA")
                background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, image)
            return np.asarray(image.convert("L"), dtype=np.float32)
    except UnidentifiedImageError:
        raise DigitImageError(f"{path}: not an image file Pillow can read") from None
    except OSError as exc:
        raise DigitImageError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _border(image):
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])


def to_mnist(gray):
    """A grayscale digit image (any size, either polarity) -> uint8 (28, 28), MNIST style."""
    from PIL import Image

    gray = np.asarray(gray, dtype=np.float32)
    if np.median(_border(gray)) > 127:  # light background: make the ink the bright part, as in MNIST
        gray = 255.0 - gray
    # Remove the background level so paper texture or a grey backdrop does not count as ink.
    ink = np.clip(gray - np.median(_border(gray)), 0, None)
    if ink.max() <= 0:
        raise DigitImageError("no digit found (the image is blank)")
    ink *= 255.0 / ink.max()

    rows = np.flatnonzero((ink > 255 * 0.2).any(axis=1))
    cols = np.flatnonzero((ink > 255 * 0.2).any(axis=0))
    digit = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]

    # Fit into 20x20 keeping the aspect ratio, with anti-aliasing.
    height, width = digit.shape
    factor = 20.0 / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    digit = np.asarray(Image.fromarray(digit).resize(size, Image.LANCZOS), dtype=np.float32)
    digit = np.clip(digit, 0, 255)

    # Place it in 28x28 so that its centre of mass lands on the centre (14, 14).
    ys, xs = np.indices(digit.shape)
    total = digit.sum()
    com_y, com_x = (ys * digit).sum() / total, (xs * digit).sum() / total
    top = int(np.clip(round(14 - com_y), 0, 28 - digit.shape[0]))
    left = int(np.clip(round(14 - com_x), 0, 28 - digit.shape[1]))
    canvas = np.zeros((28, 28), dtype=np.float32)
    canvas[top:top + digit.shape[0], left:left + digit.shape[1]] = digit
    return np.round(canvas).astype(np.uint8)
