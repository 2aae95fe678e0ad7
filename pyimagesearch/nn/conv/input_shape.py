from keras import backend


def image_input_shape(width, height, depth):
    """The input shape in the order of keras.backend.image_data_format().

    Builders use this so the same code serves channels-last (TensorFlow's default)
    and channels-first data.
    """
    if backend.image_data_format() == "channels_first":
        return (depth, height, width)
    return (height, width, depth)
