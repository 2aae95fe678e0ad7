"""Training small networks fast on a CPU without changing what is computed.

LeNet-5 at batch 32 is bound by per-step overhead, not arithmetic (see bench.py). Measured
levers, each leaving the model, optimiser, schedule and epochs as they were:
- many steps per call into TensorFlow (`STEPS_PER_EXECUTION`);
- a tf.data pipeline that reshuffles an index each epoch and gathers whole batches from
  tensors already in memory, prefetching the next batch while the current one trains;
- validation in large batches (the predictions do not depend on the batch size);
- one thread per op: the ops are too small for two threads to pay for their hand-over.
"""

STEPS_PER_EXECUTION = 32
VALIDATION_BATCH_SIZE = 1024


def use_one_thread_per_op():
    """Run each TensorFlow op on one thread (independent ops may still run side by side).
    Takes effect only before TensorFlow runs its first op; later (e.g. a script's main()
    called inside a test process) TensorFlow keeps the threads it started with."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
    except RuntimeError:  # "cannot be modified after initialization"
        pass


def shuffled_batches(images, labels, batch_size, seed, copies=1):
    """Batches of (images, labels), in a new order every epoch, prefetched; each image comes
    `copies` times per epoch (for training on distorted copies drawn on the fly).

    The order is drawn from `seed`, so the same seed gives the same batches."""
    import tensorflow as tf

    images, labels = tf.constant(images), tf.constant(labels)
    count = int(images.shape[0])
    return (tf.data.Dataset.range(count * copies)
            .shuffle(count * copies, seed=seed, reshuffle_each_iteration=True)
            .batch(batch_size)
            .map(lambda index: (tf.gather(images, index % count), tf.gather(labels, index % count)))
            .prefetch(tf.data.AUTOTUNE))
