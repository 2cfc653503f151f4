"""Neural-collapse measures on penultimate features (Papyan, Han, Donoho 2020)."""

from __future__ import annotations

import torch


def within_class_variability(features: torch.Tensor, labels: torch.Tensor) -> float:
    """NC1 = Tr(Sigma_W Sigma_B^+) / K: the within-class covariance of the (n, p) features
    measured against the pseudo-inverse of the between-class covariance of the K class means
    (labels in 0..K-1, every class present). It falls to 0 as every class collapses to its
    mean."""
    h = features.detach().to(torch.float64)
    classes = torch.unique(labels)
    means = torch.stack([h[labels == c].mean(0) for c in classes])
    centred_means = means - h.mean(0)
    between = centred_means.T @ centred_means / len(classes)
    within = sum(((h[labels == c] - means[i]).T @ (h[labels == c] - means[i]))
                 for i, c in enumerate(classes)) / len(h)
    return float(torch.trace(within @ torch.linalg.pinv(between, hermitian=True)) / len(classes))
