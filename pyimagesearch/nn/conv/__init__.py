from .lenet import LeNet
from .lenet5 import LeNet5
from .lenet1998 import LeNet1998
from .shallownet import ShallowNet

__all__ = ["ShallowNet", "LeNet", "LeNet5", "LeNet1998"]
