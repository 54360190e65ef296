"""Passage splitting keeps every word and respects the model's window."""

from indexer.passages import sentences, split

from .conftest import SEED


def test_sentences_are_spans_of_the_text():
    text = "First one. Second one!  Third?\nFourth line"
    assert [text[s:e] for s, e in sentences(text)] == ["First one.", "Second one!", "Third?", "Fourth line"]



def test_a_sentence_keeps_the_quote_or_bracket_that_closes_it():
    text = "He said: “We are not against.”\n\n(It was late.) «Да.» Next"
    assert [text[s:e] for s, e in sentences(text)] == [
        "He said: “We are not against.”", "(It was late.)", "«Да.»", "Next"]

def _words_covered(text, spans):
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    return all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_long_article_is_split_within_the_window_without_losing_text(embedder):
    body = SEED.read_text(encoding="utf-8")
    spans = split(body, embedder.token_offsets, max_tokens=120, overlap=30)
    assert len(spans) > 3
    assert _words_covered(body, spans)
    lengths = [len(o) for o in embedder.token_offsets([body[s:e] for s, e in spans])]
    assert max(lengths) <= 120


def test_passages_overlap_by_whole_sentences(embedder):
    body = " ".join(f"Sentence number {i} says something short." for i in range(60))
    spans = split(body, embedder.token_offsets, max_tokens=50, overlap=20)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert s2 < e1  # the next passage repeats the end of this one
        assert body[s2 - 2 : s2] in (". ", "")


def test_a_sentence_longer_than_the_window_is_cut_not_dropped(embedder):
    body = "word " * 700
    spans = split(body.strip(), embedder.token_offsets, max_tokens=100, overlap=0)
    assert len(spans) == 7
    assert _words_covered(body.strip(), spans)
