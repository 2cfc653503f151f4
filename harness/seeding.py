"""Seed derivation: every random number of a claim flows from (base seed, claim id, seed index).

Seeds are derived by hashing, so claims never share a stream, adding a claim never shifts another
claim's numbers, and a run is identical serially and under xdist. No global RNG state is touched.
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch


def derive_seed(base_seed: int, claim_id: str, index: int) -> int:
    """A 63-bit seed for seed number `index` of `claim_id` under `base_seed`."""
    key = f"{base_seed}\x1f{claim_id}\x1f{index}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "little") >> 1


def torch_generator(seed: int) -> torch.Generator:
    """A CPU generator: draws are made on the CPU and moved, so they do not depend on the device."""
    return torch.Generator(device="cpu").manual_seed(seed)


def numpy_generator(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def random_orthogonal(size: int, generator: torch.Generator, dtype: torch.dtype = torch.float64,
                      device: torch.device | str = "cpu") -> torch.Tensor:
    """A (size, size) Haar-random orthogonal matrix: Gaussian entries drawn on the CPU from
    `generator` in `dtype`, QR-factorised on `device`, columns' signs fixed by R's diagonal (the
    fix makes the distribution Haar)."""
    gaussian = torch.randn(size, size, generator=generator, dtype=dtype)
    q, r = torch.linalg.qr(gaussian.to(device))
    return q * torch.sign(torch.diagonal(r))
