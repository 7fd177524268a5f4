"""The one trainer behind claimwatch's linear stance models (``stance_model``, ``news_stance``).

A class-weighted multinomial logistic regression over standardised dense features and weighted
hashed n-gram features. Fitting needs scikit-learn and scipy (the ``train`` extra); the exported
weights are read by ``stance_model.LoadedModel`` with numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class LinearModel:
    """``fit`` / ``scores`` / ``export`` of the logistic regression; ``C`` is the inverse L2 strength,
    ``hash_weight`` scales the (L2-normalised) hashed features against the standardised dense ones."""

    def __init__(self, C: float, hash_weight: float, seed: int):
        self.C, self.hash_weight, self.seed = C, hash_weight, seed

    def _design(self, dense: np.ndarray, hashed: Any) -> Any:
        import scipy.sparse as sp

        return sp.hstack([sp.csr_matrix((dense - self.mean) / self.scale), hashed * self.hash_weight]).tocsr()

    def fit(self, dense: np.ndarray, hashed: Any, y: np.ndarray) -> LinearModel:
        from sklearn.linear_model import LogisticRegression

        self.mean = dense.mean(axis=0)
        self.scale = dense.std(axis=0) + 1e-3
        self.clf = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, tol=1e-4,
                                      random_state=self.seed)
        self.clf.fit(self._design(dense, hashed), y)
        return self

    def scores(self, dense: np.ndarray, hashed: Any) -> np.ndarray:
        return self.clf.decision_function(self._design(dense, hashed))

    def export(self, n_dense: int) -> dict[str, np.ndarray]:
        """Weights in ``LoadedModel`` layout (classes in label order 0..k-1)."""
        w = self.clf.coef_.T.astype(np.float32)
        return {
            "dense_w": w[:n_dense],
            "hash_w": (w[n_dense:] * self.hash_weight).astype(np.float16),
            "bias": self.clf.intercept_.astype(np.float32),
            "mean": self.mean.astype(np.float32),
            "scale": self.scale.astype(np.float32),
        }


def hashed_matrix(rows: list[tuple[np.ndarray, np.ndarray]], bits: int) -> Any:
    """A CSR matrix from per-row (indices, values) pairs of ``stance_model.hashed_features``."""
    import scipy.sparse as sp

    r: list[int] = []
    c: list[int] = []
    v: list[float] = []
    for i, (idx, val) in enumerate(rows):
        r.extend([i] * len(idx))
        c.extend(idx.tolist())
        v.extend(val.tolist())
    return sp.csr_matrix((v, (r, c)), shape=(len(rows), 1 << bits), dtype=np.float32)
