from .lenet import LeNet
from .shallownet import ShallowNet

__all__ = ["ShallowNet", "LeNet"]
