"""scikit-learn's bundled 8x8 handwritten digits (1,797 images): real high-dimensional data that
ships with the package, so nothing is downloaded."""

from __future__ import annotations

import torch

from harness.extras import require


def digits_one_hot(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y): x (1797, 64) pixel intensities scaled to [0, 1], y (1797, 10) one-hot labels.

    Skips the calling claim when scikit-learn (the `data` extra) is not installed.
    """
    datasets = require("sklearn.datasets", "data")
    bunch = datasets.load_digits()
    x = torch.as_tensor(bunch.data, dtype=dtype) / 16.0
    labels = torch.as_tensor(bunch.target, dtype=torch.long)
    return x, torch.nn.functional.one_hot(labels, num_classes=10).to(dtype)


def digit_images(n: int, generator: torch.Generator,
                 dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """(images, targets): n digits drawn without replacement by `generator`, images
    (n, 1, 8, 8) scaled to [0, 1], targets (n, 10) one-hot."""
    x, y = digits_one_hot(dtype)
    chosen = torch.randperm(len(x), generator=generator)[:n]
    return x[chosen].reshape(n, 1, 8, 8), y[chosen]
