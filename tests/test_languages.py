"""Editions in several languages: tokenization, folding and stemming per
language, language detection choosing, every edition in e5's one space (the
default), and, with MiniLM + USE, no model embedding a language it cannot
read (Armenian and Azerbaijani are then found by their words)."""


import pytest

from indexer.build import build
from search import Searcher, Settings
from search.text.analysis import language, terms

from .conftest import ROOT, SAMPLES, WIKINEWS_RU

ARMENIAN = ROOT / "tests" / "fixtures" / "editions" / "armenian.jsonl"
AZERBAIJANI = ROOT / "tests" / "fixtures" / "editions" / "azerbaijani.jsonl"
MODES = ["keyword", "semantic", "hybrid"]


def test_armenian_marks_inside_a_word_and_the_ligature_fold_away():
    assert terms("Ինչո՞ւ ԻՆՉՈ՞Ւ ինչու") == ["ինչու"] * 3
    assert terms("Ուշադրությո՛ւն") == ["ուշադրությ"]  # stemmed (test_armenian_azerbaijani.py)
    assert terms("Վրաստանի և Ռուսաստանի") == ["վրաստան", "եւ", "ռուսաստան"]


def test_azerbaijani_is_lower_cased_with_its_dotted_capital_i_and_stemmed_as_azerbaijani():
    with language("az"):
        assert terms("İSTİFADƏYƏ İSTİFADƏ İlham Əliyev") == ["istif", "istif", "ilham", "əliyev"]
        assert terms("BAKIDA Bakıda bakida Bakı") == ["baki"] * 4  # dotless i typed as i
        # The English stemmer would make "kurs" "kur" (the Kura river).
        assert terms("manatın kurs əhəmiyyətli") == ["manat", "kurs", "əhəmiyyətl"]
    with language("en"):
        assert terms("elections kurs") == ["elect", "kur"]
    with language("ru"):  # Cyrillic words take the Russian stemmer whatever the language
        assert terms("выборы") == ["выбор"]


USE = Settings(model_path="", multilingual_model="use-multilingual-v3")


@pytest.fixture(scope="module")
def editions_source(tmp_path_factory):
    """Two Armenian, three Azerbaijani, two English and two Russian articles;
    the Armenian ones carry no language (detection finds it)."""
    source = tmp_path_factory.mktemp("editions") / "editions.jsonl"
    lines = (ARMENIAN.read_text(encoding="utf-8").splitlines()
             + AZERBAIJANI.read_text(encoding="utf-8").splitlines()
             + SAMPLES.read_text(encoding="utf-8").splitlines()[:2]
             + WIKINEWS_RU.read_text(encoding="utf-8").splitlines()[:2])
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def editions(tmp_path_factory, editions_source) -> Searcher:
    """The editions indexed with e5 as the one space of every language."""
    path = tmp_path_factory.mktemp("editions-index")
    settings = Settings(index_dir=path, model_path="multilingual-e5-small")
    build([editions_source], settings, progress=False)
    searcher = Searcher.open(path, settings)
    yield searcher
    searcher.close()


@pytest.fixture(scope="module")
def editions_use(tmp_path_factory, editions_source) -> Searcher:
    """The same articles with all-MiniLM-L6-v2 and USE-multilingual (the
    defaults), which read neither Armenian nor Azerbaijani."""
    settings = USE.replace(index_dir=tmp_path_factory.mktemp("editions-use"))
    build([editions_source], settings, progress=False)
    searcher = Searcher.open(settings.index_dir, settings)
    yield searcher
    searcher.close()


def lang_of(searcher: Searcher, article_id: str) -> str:
    return searcher.article(article_id).lang


def test_language_detection_chooses_and_e5_embeds_every_edition(editions):
    assert lang_of(editions, "hy-lars") == "hy" and lang_of(editions, "az-1") == "az"
    ids = editions.store.id_table()  # ordinal -> id
    homes = {i: editions.article_vectors.home(o) for o, i in ids.items()}
    assert set(homes.values()) == {0}  # one space: e5 reads hy, az, en and ru
    assert len(editions.semantic.spaces) == 1
    assert len(editions.semantic.spaces[0].vectors) == editions.store.passage_count(list(ids))


def test_with_minilm_and_use_no_model_embeds_what_it_cannot_read(editions_use):
    ids = editions_use.store.id_table()  # ordinal -> id
    homes = {i: editions_use.article_vectors.home(o) for o, i in ids.items()}
    assert {i for i, h in homes.items() if h < 0} == {"hy-lars", "hy-football", "az-1", "az-2", "az-3"}
    english = [o for o, i in ids.items() if lang_of(editions_use, i) == "en"]
    russian = [o for o, i in ids.items() if lang_of(editions_use, i) == "ru"]
    # English passages sit in MiniLM's space, Russian ones in the multilingual one.
    assert english and russian
    assert [len(space.vectors) for space in editions_use.semantic.spaces] == [
        editions_use.store.passage_count(english), editions_use.store.passage_count(russian)]


@pytest.mark.parametrize("mode", MODES)
def test_armenian_query_finds_the_word_written_with_a_mark_inside(editions, mode):
    found = editions.search("ինչու է փակվել Լարսի անցակետը", mode=mode)
    assert found.query_lang == "hy"
    assert found.hits[0].article.id == "hy-lars"
    assert "<mark>Ինչո՞ւ</mark>" in found.hits[0].snippet or "<mark>Լարսի</mark>" in found.hits[0].snippet


@pytest.mark.parametrize("query", ["BAKIDA METRO STANSİYASI", "bakıda metro stansiyası",
                                   "bakida metro stansiyasi"])
def test_azerbaijani_query_in_any_case_finds_its_article(editions, query):
    found = editions.search(query, mode="hybrid")
    assert found.query_lang == "az"
    assert found.hits[0].article.id == "az-1"


@pytest.mark.parametrize("query", ["Հայաստանի հավաքականը հաղթել է", "Bakıda yeni metro stansiyası"])
def test_hybrid_is_keyword_ranking_for_a_language_no_model_reads(editions_use, query):
    editions = editions_use  # with MiniLM + USE: nothing reads hy or az
    keyword = editions.search(query, mode="keyword")
    for mode in ("hybrid", "semantic"):
        found = editions.search(query, mode=mode)
        assert [h.article.id for h in found.hits] == [h.article.id for h in keyword.hits]
        # (scores to rounding: the recency boost moves with the clock between the calls)
        assert [h.score for h in found.hits] == pytest.approx([h.score for h in keyword.hits])
        assert found.total == keyword.total and found.mode == mode


DUMA = "ru-nerel-100084"  # "Госдума планирует разрешить беспилотные автомобили"
DUMA_EN = "parliament plans to allow driverless cars on Russian roads"


def test_english_query_finds_russian_coverage_shown_with_its_language(newsroom_client):
    body = newsroom_client.get(f"/api/search?q={DUMA_EN}&mode=semantic").get_json()
    assert body["query_lang"] == "en"
    first = body["results"][0]
    assert first["id"] == DUMA and first["lang"] == "ru"
    page = newsroom_client.get(f"/?q={DUMA_EN}&mode=hybrid").get_data(as_text=True)
    assert "Госдума планирует разрешить беспилотные автомобили" in page
    assert '<span class="lang-badge" title="Russian"><span aria-hidden="true">RU</span>' in page


def test_cross_lingual_search_can_be_turned_off(newsroom_index, embedder):
    settings = Settings(index_dir=newsroom_index, cross_lingual=False)
    searcher = Searcher.open(newsroom_index, settings, embedder=embedder)
    try:
        for mode in MODES:
            found = searcher.search(DUMA_EN, mode=mode, size=50)
            assert found.query_lang == "en"
            assert {h.article.lang for h in found.hits} <= {"en"}, mode
        # Russian readers still find their own edition by meaning.
        russian = searcher.search("законопроект о машинах без водителя", mode="semantic")
        assert russian.hits[0].article.id == DUMA
    finally:
        searcher.close()
