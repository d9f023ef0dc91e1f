"""What a fitted SparseMLPClassifier answers: scores, probabilities, labels and top-k labels.

A mixin of the estimator (``self`` is a SparseMLPClassifier): kept apart from training so that
each file holds one side of the model.
"""
import numpy as np
from sklearn.utils.validation import check_is_fitted

from sparsenet.mlp._calibration import tempered_top_k_probabilities
from sparsenet.mlp._inputs import EngineRows, check_features, check_few_csr_rows, take_rows
from sparsenet.mlp._row_norms import rescaled_rows
from sparsenet.mlp._outputs import (SPARSE_INFERENCE_CANDIDATES, checked_top_k_arguments, kept_labels,
                                    log_probabilities, probabilities, top_k_probabilities)
from sparsenet.native._openmp import resolve_n_threads

SCORING_CHUNK_ELEMENTS = 1 << 24  # outputs a method materialises at once (bounded memory)


class FittedModelPredictions:
    """Prediction methods and fitted-weight views of :class:`~sparsenet.SparseMLPClassifier`."""

    @property
    def classes_(self):
        """Class labels; for a multi-label indicator y, the column indices."""
        try:
            return self._targets.classes_
        except AttributeError:
            raise AttributeError("classes_ is set by fit or partial_fit") from None

    @property
    def _multilabel(self):
        return self._targets.multilabel

    def _scores(self, X):
        norm = getattr(self, "input_norm_", None)  # absent from models saved before input_norm
        if isinstance(X, EngineRows):  # from UDTClassifier, which checked that it is fitted
            return rescaled_rows(X.matrix, norm), resolve_n_threads(self.n_jobs)
        if not self.__sklearn_is_fitted__():  # check_is_fitted alone costs a tenth of a one-row prediction
            check_is_fitted(self)
        few_rows = check_few_csr_rows(self, X)
        X = check_features(self, X, reset=False) if few_rows is None else few_rows
        return rescaled_rows(X, norm), resolve_n_threads(self.n_jobs)

    def _tempered_logits(self, X):
        """Float64 logits divided by the temperature (1.0 unless calibrated)."""
        X, n_threads = self._scores(X)
        logits = self.network_.logits(X, n_threads).astype(np.float64)
        temperature = getattr(self, "temperature_", 1.0)  # absent from models saved before calibration
        return logits if temperature == 1.0 else logits / temperature

    def decision_function(self, X):
        """Output-layer scores (logits).

        They are the raw scores: ``calibration`` changes the probabilities, not these.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the second class's score minus the first's.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> clf = SparseMLPClassifier((32,), max_iter=30, random_state=0).fit(X, y)
        >>> scores = clf.decision_function(X[:5])
        >>> scores.shape, bool(((scores > 0) == (clf.predict(X[:5]) == 1)).all())
        ((5,), True)
        """
        X, n_threads = self._scores(X)
        logits = self.network_.logits(X, n_threads).astype(np.float64)
        if logits.shape[1] == 2 and not self._multilabel:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_proba(self, X):
        """Class probabilities.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            With the softmax loss, the softmax of the output layer: rows sum to one (a
            multi-label model shares the mass among the labels). With the binary loss, each
            label's own sigmoid for a multi-label model; for class labels the sigmoids
            divided by their row's sum, as one-vs-rest classifiers do.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> SparseMLPClassifier((32,), max_iter=30, random_state=0).fit(X, y).predict_proba(X[:2]).round(2)
        array([[0.09, 0.91],
               [0.  , 1.  ]])
        """
        return probabilities(self._tempered_logits(X), self._binary_outputs, self._multilabel)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> clf = SparseMLPClassifier((32,), max_iter=30, random_state=0).fit(X, y)
        >>> np.allclose(np.exp(clf.predict_log_proba(X[:5])), clf.predict_proba(X[:5]))
        True
        """
        return log_probabilities(self._tempered_logits(X), self._binary_outputs, self._multilabel)

    def predict(self, X):
        """Predicted labels.

        Returns
        -------
        y : ndarray of shape (n_samples,), or an indicator matrix of shape
            (n_samples, n_labels) for multi-label models (scipy.sparse CSR when fitted on a
            sparse y, so memory stays bounded for large label spaces). A multi-label row gets
            every label of probability 0.5 or more (binary loss), or every label whose
            probability reaches half of the row's highest (softmax loss).

        Examples
        --------
        A multi-label y trains one sigmoid per label; ``predict`` keeps those of 0.5 or more:

        >>> from sklearn.datasets import make_multilabel_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> X, Y = make_multilabel_classification(n_samples=500, n_classes=5, random_state=0)
        >>> tagger = SparseMLPClassifier(max_iter=100, random_state=0).fit(X, Y)
        >>> tagger.predict(X[:1]).shape, bool((tagger.predict(X) == Y).mean() > 0.8)
        ((1, 5), True)
        """
        X, n_threads = self._scores(X)
        if not self._multilabel:
            top1, _ = self.network_.top_k(X, 1, n_threads)
            return self.classes_[top1[:, 0]]
        chunk = max(1, SCORING_CHUNK_ELEMENTS // len(self.classes_))
        blocks = [kept_labels(self.network_.logits(take_rows(X, slice(start, start + chunk)), n_threads),
                              self._binary_outputs)
                  for start in range(0, X.shape[0], chunk)]
        return self._targets.indicator(blocks)

    def predict_topk(self, X, k=5, return_scores=False, exact=False):
        """The k most probable labels of each row, most probable first.

        Memory stays at ``n_samples * k`` whatever the number of classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        k : int, default=5
            Labels per row, at most ``n_classes``.
        return_scores : bool, default=False
            Also return the probabilities of those labels (with the binary loss, each
            label's own sigmoid).
        exact : bool, default=False
            For a model with a sampled output layer, False scores only the labels its hash
            tables return for each row (cost independent of the number of classes;
            probabilities are then normalised over those labels) and True scans every
            label. Models with a dense output layer are always exact.

        Returns
        -------
        labels : ndarray of shape (n_samples, k)
        probabilities : ndarray of shape (n_samples, k), only if ``return_scores``

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> X, y = make_classification(n_samples=500, n_classes=10, n_informative=8, random_state=0)
        >>> clf = SparseMLPClassifier((32,), max_iter=30, random_state=0).fit(X, y)
        >>> clf.predict_topk(X[:2], k=3)
        array([[0, 4, 8],
               [3, 9, 7]])
        """
        X, n_threads = self._scores(X)
        k, return_scores, exact = checked_top_k_arguments(k, len(self.classes_), return_scores, exact)
        ids, scores, log_normaliser = self._top_k(X, int(k), n_threads, exact)
        labels = self.classes_[ids]
        if not return_scores:
            return labels
        temperature = getattr(self, "temperature_", 1.0)
        if temperature != 1.0:
            return labels, tempered_top_k_probabilities(self.network_, X, scores, temperature, self._binary_outputs,
                                                        n_threads)
        return labels, top_k_probabilities(scores, log_normaliser, self._binary_outputs)

    def _top_k(self, X, k, n_threads, exact):
        """Engine top-k: (label ids, scores, log-normalisers), exact or from the tables."""
        if exact or self.network_.output_sampler is None:
            return self.network_.top_k(X, k, n_threads, with_log_normaliser=True)
        return self.network_.top_k_sampled(X, k, n_threads, max_candidates=SPARSE_INFERENCE_CANDIDATES,
                                           always=self._frequent_labels)

    @property
    def coefs_(self):
        """Weight matrices in MLPClassifier's layout, (n_in, n_out) each (views, no copy)."""
        check_is_fitted(self)
        weights = self.network_.weights
        return [weights[0]] + [w.T for w in weights[1:]]

    @property
    def intercepts_(self):
        """Bias vectors, one per layer."""
        check_is_fitted(self)
        return list(self.network_.biases)
