"""Random distortions of training digits (LeCun et al. 1998, sec. III-C): horizontal and
vertical translation, scaling, squeezing and horizontal shearing, drawn afresh for every
image of every pass.

The amounts are this repository's choice (the paper does not give them); see DEFAULTS. As in
the paper's 540,000 distorted copies beside 60,000 originals, 90% of the images seen in
training are distorted and 10% are left as they are, and a pass is over all 600,000: each
digit comes PASS_COPIES times per pass.
"""

import keras
from keras import ops

DEFAULTS = {
    "translation": 2.0,   # pixels, each direction, uniform in [-2, 2]
    "scale": 0.10,        # both axes by a factor in [0.90, 1.10]
    "squeeze": 0.15,      # x by (1 + q), y by 1 / (1 + q), q in [-0.15, 0.15]
    "shear": 0.25,        # x += shear * (y - centre), shear in [-0.25, 0.25]
    "probability": 0.9,   # share of images distorted
}
PASS_COPIES = 10  # (60,000 originals + 540,000 distorted copies) / 60,000


@keras.saving.register_keras_serializable(package="lenet1998")
class RandomDistortion(keras.layers.Layer):
    """Distorts raw digit images in training; passes them through unchanged otherwise."""

    def __init__(self, translation=DEFAULTS["translation"], scale=DEFAULTS["scale"],
                 squeeze=DEFAULTS["squeeze"], shear=DEFAULTS["shear"],
                 probability=DEFAULTS["probability"], seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.translation, self.scale, self.squeeze = translation, scale, squeeze
        self.shear, self.probability, self.seed = shear, probability, seed
        self.data_format = data_format or keras.backend.image_data_format()
        self.seed_generator = keras.random.SeedGenerator(seed)  # its state is saved and restored

    def transforms(self, batch, height, width):
        """(batch, 8) projective transforms mapping each output pixel to its input pixel."""
        def uniform(limit):
            return keras.random.uniform((batch,), -limit, limit, seed=self.seed_generator)

        s = 1.0 + uniform(self.scale)
        q = 1.0 + uniform(self.squeeze)
        shear = uniform(self.shear)
        tx, ty = uniform(self.translation), uniform(self.translation)
        keep = keras.random.uniform((batch,), seed=self.seed_generator) >= self.probability
        sx, sy = s * q, s / q
        # Forward map about the centre c: out = [[sx, sx*shear], [0, sy]] (in - c) + c + t.
        # affine_transform wants its inverse: in = M (out - c - t) + c.
        m00, m01, m11 = 1.0 / sx, -shear / sy, 1.0 / sy
        cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
        ox, oy = cx + tx, cy + ty
        zeros, ones = ops.zeros_like(s), ops.ones_like(s)
        distorted = ops.stack([m00, m01, cx - m00 * ox - m01 * oy,
                               zeros, m11, cy - m11 * oy, zeros, zeros], axis=1)
        identity = ops.stack([ones, zeros, zeros, zeros, ones, zeros, zeros, zeros], axis=1)
        return ops.where(ops.expand_dims(keep, 1), identity, distorted)

    def call(self, images, training=False):
        if not training:
            return images
        shape = ops.shape(images)
        h, w = (shape[2], shape[3]) if self.data_format == "channels_first" else (shape[1], shape[2])
        return ops.image.affine_transform(images, self.transforms(shape[0], h, w),
                                          interpolation="bilinear", fill_mode="constant",
                                          fill_value=0, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "translation": self.translation, "scale": self.scale,
                "squeeze": self.squeeze, "shear": self.shear, "probability": self.probability,
                "seed": self.seed, "data_format": self.data_format}
