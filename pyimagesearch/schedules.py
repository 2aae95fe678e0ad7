"""Learning-rate schedules for LeNet-5, by 0-based epoch, for keras.callbacks.LearningRateScheduler."""


def seed_schedule(epoch):
    """The schedule exactly as seed 003's code writes it (its text says 2/3/4 epochs; its code
    keeps 5e-4 for epochs 0-2, 2e-4 for 3-5, 5e-5 for 6-9, then 1e-5)."""
    if epoch <= 2:
        return 5e-4
    if epoch <= 5:
        return 2e-4
    if epoch <= 9:
        return 5e-5
    return 1e-5


def paper_schedule(epoch):
    """LeCun et al. 1998, p.10: passes 1-2 0.0005, 3-5 0.0002, 6-8 0.0001, 9-12 0.00005,
    then 0.00001 (pass = epoch + 1)."""
    passes = epoch + 1
    if passes <= 2:
        return 5e-4
    if passes <= 5:
        return 2e-4
    if passes <= 8:
        return 1e-4
    if passes <= 12:
        return 5e-5
    return 1e-5


SCHEDULES = {"seed": seed_schedule, "paper": paper_schedule}
