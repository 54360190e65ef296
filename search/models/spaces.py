"""Vector spaces: one per embedding model, articles routed by language.

An index holds one faiss index per model (a *space*).  The main model
(all-MiniLM-L6-v2, English) embeds the articles in its languages and those
whose language is unknown; the multilingual model (USE-multilingual v3)
embeds the articles in the other languages it reads (Russian, ...), into one
space where a query in any of them, English included, finds them: an
English query is embedded by both models and reaches Russian coverage
through the multilingual space.  English articles stay out of it: measured
on the two-edition news set, they cost Russian queries 0.018 MRR@10 there
and English indexing a second model (docs/relevance.md).  An article in a language
no model reads (Armenian, Azerbaijani) gets no vectors: it is found by its
words alone, and hybrid ranking is keyword ranking for it.

An article's *home* space is the first that holds it: its passages are cut by
that model's tokenizer, and its article vector (related stories,
near-duplicates) comes from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from search.models.use_encoder import LANGUAGES as USE_LANGUAGES
from search.models.use_encoder import NAME as USE_NAME

if TYPE_CHECKING:
    from search.config import Settings

MAIN = "main"
MULTILINGUAL = "multilingual"


@dataclass(frozen=True)
class SpaceSpec:
    """Which model embeds which languages, and where its vectors are."""

    name: str
    model: str  # a sentence-transformers folder, or `use_encoder.NAME`
    langs: tuple[str, ...]  # the languages of the articles it embeds
    takes_unknown: bool = False  # also articles whose language is not known
    reads: tuple[str, ...] = ()  # languages of the queries it embeds (empty: `langs`)

    def holds(self, lang: str) -> bool:
        """Whether it embeds articles in ``lang``."""
        return lang in self.langs or (self.takes_unknown and not lang)

    def reads_query(self, lang: str) -> bool:
        """Whether it embeds queries in ``lang``."""
        return lang in (self.reads or self.langs) or (self.takes_unknown and not lang)

    @property
    def file_name(self) -> str:
        return "vectors.faiss" if self.name == MAIN else f"vectors-{self.name}.faiss"

    def to_dict(self) -> dict:
        return {"name": self.name, "model": self.model, "langs": list(self.langs),
                "takes_unknown": self.takes_unknown, "reads": list(self.reads)}

    @classmethod
    def from_dict(cls, d: dict) -> "SpaceSpec":
        return cls(d["name"], d["model"], tuple(d["langs"]), bool(d.get("takes_unknown")),
                   tuple(d.get("reads", ())))


def langs_setting(raw: str) -> tuple[str, ...]:
    """``"en, ru"`` -> ``("en", "ru")``."""
    return tuple(dict.fromkeys(x.strip().lower() for x in raw.split(",") if x.strip()))


def configured(settings: "Settings") -> list[SpaceSpec]:
    """The spaces ``settings`` ask for: the main model, then the multilingual one."""
    spaces = [SpaceSpec(MAIN, settings.resolved_model_path(), langs_setting(settings.model_langs),
                        takes_unknown=True)]
    if settings.multilingual_model:
        if settings.multilingual_model != USE_NAME:
            raise ValueError(f"multilingual_model must be {USE_NAME!r} or empty, "
                             f"not {settings.multilingual_model!r}")
        main = spaces[0].langs
        langs = langs_setting(settings.multilingual_langs) or tuple(
            lang for lang in USE_LANGUAGES if lang not in main)
        spaces.append(SpaceSpec(MULTILINGUAL, USE_NAME, langs, reads=USE_LANGUAGES))
    return spaces


def home(lang: str, spaces: Sequence[SpaceSpec]) -> int:
    """Index of the first space holding articles in ``lang``; -1: none."""
    return next((i for i, s in enumerate(spaces) if s.holds(lang)), -1)

