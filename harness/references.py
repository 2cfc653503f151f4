"""The papers claims cite, keyed by BibTeX key. One place, so a citation is never retyped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    key: str
    authors: str
    title: str
    year: int
    venue: str

    def short(self) -> str:
        first = self.authors.split(" and ")[0].split(",")[0]
        etal = " et al." if " and " in self.authors else ""
        return f"{first}{etal} {self.year}"


REFERENCES: dict[str, Reference] = {
    ref.key: ref
    for ref in [
        Reference(
            "xu2019frequency",
            "Xu, Zhi-Qin John and Zhang, Yaoyu and Luo, Tao and Xiao, Yanyang and Ma, Zheng",
            "Frequency Principle: Fourier Analysis Sheds Light on Deep Neural Networks",
            2019,
            "arXiv:1901.06523",
        ),
        Reference(
            "luo2021phase",
            "Luo, Tao and Xu, Zhi-Qin John and Ma, Zheng and Zhang, Yaoyu",
            "Phase Diagram for Two-layer ReLU Neural Networks at Infinite-width Limit",
            2021,
            "JMLR 22(71); arXiv:2007.07497",
        ),
    ]
}


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: a reference and the figure or section it reproduces."""

    reference: Reference
    where: str

    def __str__(self) -> str:
        return f"{self.reference.short()} ({self.reference.venue}), {self.where}"


def paper(key: str, where: str) -> Source:
    """The source of a claim: `paper("xu2019frequency", "Fig. 1")`."""
    try:
        return Source(REFERENCES[key], where)
    except KeyError:
        known = ", ".join(sorted(REFERENCES))
        raise KeyError(f"unknown reference {key!r}; add it to harness/references.py ({known})"
                       ) from None
