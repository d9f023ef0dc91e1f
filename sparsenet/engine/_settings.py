"""The value objects a training call configures the engine with. They carry no defaults:
the estimators' parameters are the one place where defaults are declared."""
from dataclasses import dataclass

# output losses of the engine (engine/_losses.pxd), by name
LOSSES = ("softmax", "binary")


@dataclass(frozen=True)
class AdamSettings:
    """Adam's hyper-parameters: step size, moment decay rates, numerical floor and the L2
    penalty, applied as ``l2 * w / batch_size`` to the rows a step touches."""

    learning_rate: float
    beta_1: float
    beta_2: float
    epsilon: float
    l2: float

    def __post_init__(self):
        if not self.learning_rate > 0 or not self.epsilon > 0 or self.l2 < 0:
            raise ValueError(f"learning_rate and epsilon must be positive and l2 >= 0, got {self}")
        if not (0 <= self.beta_1 < 1 and 0 <= self.beta_2 < 1):
            raise ValueError(f"beta_1 and beta_2 must lie in [0, 1), got {self}")
