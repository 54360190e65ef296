"""The relevance floor: semantic hits below a calibrated cosine are no match.

A nearest-neighbour search always returns neighbours, however far.  Below a
per-model cosine a passage is dropped, so that it neither ranks nor counts in
totals and facets.  Short queries reach lower cosines than sentences (a
relevant article scores ~0.4 against one word, ~0.8 against its paraphrased
headline), so the floor depends on the query's length: one value each for 1,
2, 3-5 and 6+ words (not counting stop words) (`Settings.similarity_floors`, chosen from the news query
sets by ``scripts/similarity_floor.py``: docs/relevance.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from search.config import Settings, model_setting
from search.text.analysis import STOP_WORDS

NO_FLOOR = -1.0  # the lowest cosine: keeps every hit


@dataclass(frozen=True)
class Floor:
    """A model's floors for queries of 1, 2, 3-5 and 6+ words."""

    by_length: tuple[float, float, float, float] = (NO_FLOOR,) * 4

    def at(self, words: int) -> float:
        """The floor for a query of ``words`` words (0: unknown, no floor)."""
        if words <= 0:
            return NO_FLOOR
        return self.by_length[0 if words == 1 else 1 if words == 2 else 2 if words <= 5 else 3]

    @classmethod
    def parse(cls, raw: str) -> "Floor":
        """``"0.21/0.27/0.47/0.57"``, or one value for every length."""
        values = [float(v) for v in raw.split("/")]
        if len(values) == 1:
            values *= 4
        if len(values) != 4:
            raise ValueError(f"a similarity floor is one value or four (1/2/3-5/6+ words): {raw!r}")
        return cls(tuple(values))  # type: ignore[arg-type]


NONE = Floor()


def query_length(text: str) -> int:
    """How long a query is, for its floor: its words that are not stop words
    ("Republic of the Congo" is three)."""
    return sum(1 for w in text.split() if w.casefold() not in STOP_WORDS)


def similarity_floor(settings: Settings, model: str) -> Floor:
    """The floor of ``model`` (a model folder or name) in ``settings``."""
    value = model_setting(settings.similarity_floors, model)
    return NONE if value is None else Floor.parse(value)

