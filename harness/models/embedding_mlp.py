"""The one-hidden-layer MLP on token embeddings used for grokking modular arithmetic
(Liu et al. 2023, "Omnigrok"; the catalogue's fast setting): each input position has its own
embedding table into the hidden layer, the embeddings are summed, and a linear readout follows."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from harness.models.activations import activation
from harness.models.specs import EmbeddingMLPSpec


class EmbeddingMLP(nn.Module):
    def __init__(self, spec: EmbeddingMLPSpec, generator: torch.Generator):
        super().__init__()
        self.sigma = activation(spec.activation)
        out_dim = spec.out_dim or spec.vocab

        def normal(*shape: int, std: float) -> nn.Parameter:
            return nn.Parameter(std * torch.randn(*shape, generator=generator, dtype=spec.dtype))

        self.tables = normal(spec.n_tokens, spec.vocab, spec.width, std=spec.embed_std)
        self.hidden_bias = nn.Parameter(torch.zeros(spec.width, dtype=spec.dtype))
        self.readout = normal(spec.width, out_dim, std=spec.out_std * spec.width ** -0.5)
        self.last_features: torch.Tensor | None = None

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if tokens.dim() != 2 or tokens.shape[1] != self.tables.shape[0]:
            raise ValueError(f"expected token ids of shape (batch, {self.tables.shape[0]}), "
                             f"got {tuple(tokens.shape)}")
        summed = sum(F.embedding(tokens[:, i], table) for i, table in enumerate(self.tables))
        hidden = self.sigma(summed + self.hidden_bias)
        self.last_features = hidden.detach()
        return hidden @ self.readout

    def embeddings(self) -> torch.Tensor:
        """(n_tokens, vocab, width): the embedding table of each input position."""
        return self.tables

    def features(self) -> torch.Tensor:
        """(batch, width): the hidden activations of the last forward."""
        return self.last_features


def embedding_mlp(spec: EmbeddingMLPSpec, generator: torch.Generator) -> EmbeddingMLP:
    return EmbeddingMLP(spec, generator)
