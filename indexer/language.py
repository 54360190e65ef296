"""Detecting an article's language when its source does not say (py3langid)."""

from __future__ import annotations

from functools import lru_cache

MIN_CHARS = 20  # shorter texts give no reliable guess
MIN_CONFIDENCE = 0.5
SAMPLE_CHARS = 3000


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str:
    """ISO 639-1 code of ``text``'s language ("en", "ru", "az", ...), or "" if unsure."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < MIN_CHARS:
        return ""
    lang, confidence = _identifier().classify(sample)
    return lang if confidence >= MIN_CONFIDENCE else ""
