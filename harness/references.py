"""The papers claims cite. They live in `references.bib` (shipped with the package, written next to
a LaTeX report), so a citation is typed once and a paper's table cites claims by BibTeX key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BIB_PATH = Path(__file__).with_name("references.bib")
ENTRY = re.compile(r"@\w+\{(?P<key>[^,\s]+),(?P<body>.*?)\n\}", re.S)
FIELD = re.compile(r"(?P<name>\w+)\s*=\s*\{(?P<value>(?:[^{}]|\{[^{}]*\})*)\}", re.S)


@dataclass(frozen=True)
class Reference:
    key: str
    fields: dict[str, str]

    def short(self) -> str:
        """'Xu et al. 2020' (first author's family name, year)."""
        authors = self.fields.get("author", "").split(" and ")
        first = authors[0].split(",")[0].strip() if authors[0] else self.key
        etal = " et al." if len(authors) > 1 else ""
        where = f", arXiv:{self.fields['eprint']}" if "eprint" in self.fields else ""
        return f"{first}{etal} {self.fields.get('year', '')}{where}"


@cache
def references() -> dict[str, Reference]:
    """Every entry of references.bib by key."""
    entries = {}
    for match in ENTRY.finditer(BIB_PATH.read_text()):
        fields = {f["name"].lower(): " ".join(f["value"].split())
                  for f in FIELD.finditer(match["body"])}
        entries[match["key"]] = Reference(match["key"], fields)
    return entries


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: a reference and the figure or section it reproduces (what was
    read: a section or figure when checked, else "abstract" or "authors' code: repo/path"), other
    papers that document the same phenomenon (`also`), and what the paper itself reports for the
    quantity the claim measures (`reported`, a short text; None when it gives no number)."""

    reference: Reference
    where: str
    also: tuple[Source, ...] = ()
    reported: str | None = None

    @property
    def keys(self) -> list[str]:
        """The BibTeX keys of the reference and of the other sources, in order."""
        return [self.reference.key] + [key for other in self.also for key in other.keys]

    def __str__(self) -> str:
        first = f"{self.reference.short()}, {self.where}"
        return "; also ".join([first] + [str(other) for other in self.also])


def paper(key: str, where: str, *also: Source, reported: str | None = None) -> Source:
    """The source of a claim: `paper("xu2019frequency", "Fig. 1")`; further sources of the same
    phenomenon follow: `paper("xu2019frequency", "Fig. 1", paper("rahaman2019spectral", ...))`;
    `reported="..."` is the paper's own number for what the claim measures (the report shows it
    beside ours as `paper_value`)."""
    try:
        return Source(references()[key], where, also, reported)
    except KeyError:
        raise KeyError(f"unknown reference {key!r}: add a BibTeX entry for it to "
                       f"{BIB_PATH.name}") from None
