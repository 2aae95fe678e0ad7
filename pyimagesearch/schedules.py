"""Learning-rate schedules for LeNet-5, by 0-based epoch, for keras.callbacks.LearningRateScheduler."""


def _piecewise(last_epochs, rates):
    """rates[i] up to and including epoch last_epochs[i]; the final rate after that."""
    def schedule(epoch):
        for last, rate in zip(last_epochs, rates):
            if epoch <= last:
                return rate
        return rates[-1]
    return schedule


# The schedule exactly as seed 003's code writes it (its text says 2/3/4 epochs; its code
# keeps 5e-4 for epochs 0-2, 2e-4 for 3-5, 5e-5 for 6-9, then 1e-5).
seed_schedule = _piecewise([2, 5, 9], [5e-4, 2e-4, 5e-5, 1e-5])

# LeCun et al. 1998, p.10: passes 1-2 0.0005, 3-5 0.0002, 6-8 0.0001, 9-12 0.00005, then
# 0.00001 (pass = epoch + 1).
paper_schedule = _piecewise([1, 4, 7, 11], [5e-4, 2e-4, 1e-4, 5e-5, 1e-5])

SCHEDULES = {"seed": seed_schedule, "paper": paper_schedule}
