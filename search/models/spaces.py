"""Vector spaces: one per embedding model, articles routed by language.

An index holds one faiss index per model (a *space*).  Two designs:

* **One space** (``model_path = "multilingual-e5-small"``): e5 embeds the
  articles of every language it reads (and those whose language is unknown)
  into one space, so a query in any language, English included, is embedded
  once and finds articles in all of them.
* **A main model and a multilingual one**: the main model (all-MiniLM-L6-v2,
  English) embeds the articles in its languages and those whose language is
  unknown; the multilingual model (``multilingual_model``: multilingual-e5-small
  or USE-multilingual v3) embeds the articles in the other languages it reads,
  into one space where a query in any of them, English included, finds them:
  an English query is embedded by both models and reaches Russian coverage
  through the multilingual space.  English articles stay out of it: measured
  with USE on the two-edition news set, they cost Russian queries 0.018
  MRR@10 there and English indexing a second model (docs/relevance.md).

An article in a language no model reads (with USE: Armenian, Azerbaijani)
gets no vectors: it is found by its words alone, and hybrid ranking is
keyword ranking for it.  Which design is the default, and why, is in
docs/relevance.md ("multilingual-e5-small").

An article's *home* space is the first that holds it: its passages are cut by
that model's tokenizer, and its article vector (related stories,
near-duplicates) comes from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from search.models.e5 import LANGUAGES as E5_LANGUAGES
from search.models.e5 import NAME as E5_NAME
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
    model: str  # a sentence-transformers folder, `e5.NAME` or `use_encoder.NAME`
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


MULTILINGUAL_MODELS = {E5_NAME: E5_LANGUAGES, USE_NAME: USE_LANGUAGES}  # model -> what it reads


def configured(settings: "Settings") -> list[SpaceSpec]:
    """The spaces ``settings`` ask for: the main model, then the multilingual
    one; or e5 alone, the one space of every language it reads."""
    main_langs = langs_setting(settings.model_langs)
    if settings.resolved_model_path() == E5_NAME:
        extra = langs_setting(settings.multilingual_langs) or E5_LANGUAGES
        langs = main_langs + tuple(lang for lang in extra if lang not in main_langs)
        return [SpaceSpec(MAIN, E5_NAME, langs, takes_unknown=True, reads=E5_LANGUAGES)]
    spaces = [SpaceSpec(MAIN, settings.resolved_model_path(), main_langs, takes_unknown=True)]
    model = settings.multilingual_model
    if model:
        if model not in MULTILINGUAL_MODELS:
            raise ValueError(f"multilingual_model must be one of "
                             f"{', '.join(map(repr, MULTILINGUAL_MODELS))} or empty, not {model!r}")
        reads = MULTILINGUAL_MODELS[model]
        langs = langs_setting(settings.multilingual_langs) or tuple(
            lang for lang in reads if lang not in main_langs)
        spaces.append(SpaceSpec(MULTILINGUAL, model, langs, reads=reads))
    return spaces


def home(lang: str, spaces: Sequence[SpaceSpec]) -> int:
    """Index of the first space holding articles in ``lang``; -1: none."""
    return next((i for i, s in enumerate(spaces) if s.holds(lang)), -1)

