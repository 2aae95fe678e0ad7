from .lenet import LeNet
from .lenet5 import LeNet5
from .shallownet import ShallowNet

__all__ = ["ShallowNet", "LeNet", "LeNet5"]
