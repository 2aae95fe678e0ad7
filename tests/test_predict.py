"""predict.py and the MNIST-style conversion of a user's digit image."""

import json

import keras
import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import run_script
from pyimagesearch.digits import DigitImageError, read_grayscale, to_mnist
from pyimagesearch.nn.conv import LeNet, LeNet5, LeNet1998
from pyimagesearch.nn.inference import with_preprocessing, with_probabilities


def draw_seven(size=(200, 300), box=(20, 30, 120, 230), ink=0, paper=255, width=18):
    """A '7' drawn with Pillow: dark ink on light paper by default."""
    image = Image.new("L", size, paper)
    pen = ImageDraw.Draw(image)
    left, top, right, bottom = box
    pen.line([(left, top), (right, top)], fill=ink, width=width)
    pen.line([(right, top), (left + (right - left) // 3, bottom)], fill=ink, width=width)
    return image


def centre_of_mass(image):
    ys, xs = np.indices(image.shape)
    total = image.sum()
    return (ys * image).sum() / total, (xs * image).sum() / total


def correlation(a, b):
    return np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1]


def test_conversion_is_mnist_shaped():
    digit = to_mnist(np.asarray(draw_seven(), dtype=np.float32))
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    assert digit.max() >= 250 and digit[0].max() == 0 and digit[:, 0].max() == 0  # light on dark
    rows = np.flatnonzero(digit.max(axis=1) > 50)
    cols = np.flatnonzero(digit.max(axis=0) > 50)
    # The longer side (height here) fills the 20-pixel box; the aspect ratio is kept.
    assert 19 <= rows[-1] - rows[0] + 1 <= 21
    assert 9 <= cols[-1] - cols[0] + 1 <= 13
    com_y, com_x = centre_of_mass(digit.astype(float))
    assert abs(com_y - 14) <= 0.5 + 1e-9 and abs(com_x - 14) <= 0.5 + 1e-9


def test_polarity_size_and_position_do_not_matter():
    reference = to_mnist(np.asarray(draw_seven(), dtype=np.float32))
    inverted = to_mnist(np.asarray(draw_seven(ink=255, paper=0), dtype=np.float32))
    large = to_mnist(np.asarray(draw_seven(size=(1000, 1500), box=(100, 150, 600, 1150), width=90),
                                dtype=np.float32))
    off_centre = to_mnist(np.asarray(draw_seven(size=(600, 400), box=(440, 20, 540, 220)),
                                     dtype=np.float32))
    np.testing.assert_array_equal(inverted, reference)
    assert correlation(large, reference) > 0.95
    assert correlation(off_centre, reference) > 0.99


def test_transparent_background_is_laid_on_white(tmp_path):
    image = Image.new("RGBA", (200, 300), (0, 0, 0, 0))  # transparent black: naive "L" is all black
    ImageDraw.Draw(image).line([(20, 30), (120, 30), (53, 230)], fill=(0, 0, 0, 255), width=18)
    image.save(tmp_path / "seven.png")
    reference = to_mnist(np.asarray(draw_seven(), dtype=np.float32))
    assert correlation(to_mnist(read_grayscale(tmp_path / "seven.png")), reference) > 0.95


def test_blank_image_has_no_digit():
    with pytest.raises(DigitImageError, match="no digit found"):
        to_mnist(np.full((40, 40), 255.0))


def save_model(path, data_format, variant=None, scale=1 / 255.0, offset=0.0):
    previous = keras.backend.image_data_format()
    keras.backend.set_image_data_format(data_format)
    try:
        keras.utils.set_random_seed(3)
        if variant == "1998":  # maps pixels itself; penalties become probabilities
            model = with_probabilities(LeNet1998.build(28, 28, 1, 10))
        else:
            net = LeNet5.build(28, 28, 1, 10, variant) if variant else LeNet.build(28, 28, 1, 10)
            model = with_preprocessing(net, scale, offset)
        model.save(path)
    finally:
        keras.backend.set_image_data_format(previous)
    return model


@pytest.fixture
def digit_files(tmp_path):
    folder = tmp_path / "digits"
    folder.mkdir()
    draw_seven().save(folder / "a_dark_on_light.png")
    draw_seven(ink=255, paper=0).convert("RGB").save(folder / "b_light_on_dark.jpg", quality=95)
    draw_seven(size=(1200, 900), box=(700, 100, 1000, 700), width=60).save(folder / "c_large.png")
    (folder / "README.txt").write_text("not an image: skipped when the folder is given")
    notes = tmp_path / "notes.png"
    notes.write_text("this is text, not a PNG")
    return folder, notes


@pytest.mark.parametrize("data_format, variant, scale, offset", [
    ("channels_last", None, 1 / 255.0, 0.0),                       # as lenet_mnist.py saves
    ("channels_first", None, 1 / 255.0, 0.0),
    ("channels_last", "paper", 1 / 78.567, -33.318 / 78.567),      # as lenet5_paper.py saves
    ("channels_last", "1998", None, None),                         # ... with --variant 1998
])
def test_predict_classifies_each_image_as_the_model_does(tmp_path, digit_files, data_format,
                                                         variant, scale, offset):
    folder, notes = digit_files
    model = save_model(tmp_path / "model.keras", data_format, variant, scale, offset)
    result = run_script("predict.py", "--model", tmp_path / "model.keras", "--json",
                        "--top-k", "3", folder, notes)

    assert result.returncode == 1  # one unreadable file: non-zero, after classifying the rest
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [f"predict.py: error: {notes}: not an image file Pillow can read"]
    assert "Traceback" not in result.stderr

    records = json.loads(result.stdout)
    assert [r["file"].split("/")[-1] for r in records] == [
        "a_dark_on_light.png", "b_light_on_dark.jpg", "c_large.png", "notes.png"]
    assert "error" in records[3]
    for record in records[:3]:
        digit = to_mnist(read_grayscale(record["file"]))
        layout = digit[None, None] if data_format == "channels_first" else digit[None, ..., None]
        expected = model.predict(layout.astype("float32"), verbose=0)[0]
        ranked = [p["digit"] for p in record["predictions"]]
        assert ranked == list(expected.argsort()[::-1][:3])
        assert [p["probability"] for p in record["predictions"]] == pytest.approx(
            sorted(expected)[::-1][:3], abs=1e-5)


def test_predict_plain_output(tmp_path, digit_files):
    folder, _ = digit_files
    save_model(tmp_path / "model.keras", "channels_last")
    result = run_script("predict.py", "--model", tmp_path / "model.keras", folder / "c_large.png")
    assert result.returncode == 0, result.stderr
    line, = result.stdout.splitlines()
    assert line.startswith(f"{folder / 'c_large.png'}: ") and line.endswith(")")


@pytest.mark.parametrize("model_bytes, fragment", [
    (None, "no such file"),
    (b"<html>not a model</html>", "cannot load a Keras model"),
])
def test_bad_model_is_one_line(tmp_path, digit_files, model_bytes, fragment):
    model = tmp_path / "model.keras"
    if model_bytes is not None:
        model.write_bytes(model_bytes)
    result = run_script("predict.py", "--model", model, digit_files[0])
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) == 1 and fragment in lines[0] and str(model) in lines[0]


def test_a_folder_without_images_is_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no digits here")
    result = run_script("predict.py", "--model", tmp_path / "missing.keras", empty)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) == 1 and "no image files in" in lines[0]
