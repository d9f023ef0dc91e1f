"""The network and one training step: weights, forward pass and top-k (Network), Adam's state
and layout (AdamState), the output losses, and the step itself (Trainer). Cython, no GIL.
Private API."""
