"""The PyTorch contender of the benchmarks, in its strongest simple form for sparse input:
EmbeddingBag(mode="sum", sparse=True) weighted by the feature values, a bias, ReLU, a dense
output layer; SparseAdam on the embedding, Adam on the rest; Glorot-uniform initialisation as
sparsenet draws it, so both start from the same distribution."""
import numpy as np
import torch


class TorchSparseMLP:
    def __init__(self, n_features, hidden, n_outputs, learning_rate=1e-3, threads=2, seed=0):
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.embedding = torch.nn.EmbeddingBag(n_features, hidden, mode="sum", sparse=True)
        self.hidden_bias = torch.nn.Parameter(torch.empty(hidden))
        self.output = torch.nn.Linear(hidden, n_outputs)
        for tensor, fan_in, fan_out in ((self.embedding.weight, n_features, hidden), (self.hidden_bias, n_features, hidden),
                                        (self.output.weight, hidden, n_outputs), (self.output.bias, hidden, n_outputs)):
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            torch.nn.init.uniform_(tensor, -bound, bound)
        self.sparse_optimizer = torch.optim.SparseAdam(list(self.embedding.parameters()), lr=learning_rate)
        self.dense_optimizer = torch.optim.Adam([self.hidden_bias, *self.output.parameters()], lr=learning_rate)

    def logits(self, X):
        """Output scores of the rows of a CSR matrix."""
        indices = torch.from_numpy(X.indices.astype(np.int64))
        offsets = torch.from_numpy(X.indptr[:-1].astype(np.int64))
        values = torch.from_numpy(X.data.astype(np.float32))
        hidden = self.embedding(indices, offsets, per_sample_weights=values) + self.hidden_bias
        return self.output(torch.relu(hidden))

    def step(self, X, targets):
        """One Adam step; targets are class indices or, for multi-label rows, a probability
        matrix (the mass spread over each row's labels, as sparsenet does)."""
        loss = torch.nn.functional.cross_entropy(self.logits(X), targets)
        self.sparse_optimizer.zero_grad()
        self.dense_optimizer.zero_grad()
        loss.backward()
        self.sparse_optimizer.step()
        self.dense_optimizer.step()

    @staticmethod
    def spread_targets(Y):
        """A multi-label indicator CSR as a dense probability matrix for one batch."""
        counts = np.diff(Y.indptr)
        targets = torch.zeros(Y.shape)
        rows = torch.from_numpy(np.repeat(np.arange(Y.shape[0]), counts))
        targets[rows, torch.from_numpy(Y.indices.astype(np.int64))] = torch.from_numpy(
            np.repeat(1.0 / np.maximum(counts, 1), counts).astype(np.float32))
        return targets
