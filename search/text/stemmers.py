"""Light stemmers for Armenian and Azerbaijani words (folded: lower case,
dotless i read as i).

Both cut inflectional endings from the end of a word, longest first, at most
a few times, and never leave fewer than three letters, so a stem is always
the beginning of its word (the snippet highlighter relies on it:
`search.features.snippets`).  They were picked over the Snowball stemmers by
measurement (docs/relevance.md, "Armenian and Azerbaijani stemming"):
Snowball's Armenian stemmer also cuts derivational endings, and not the same
way in every form ("նախարարություն" -> "նախարարությ" but
"նախարարությունում" -> "նախարար", "ոստիկանության" -> "ոստ"); its Turkish one
does not know ə and needs the dotless i that searching without it folds away.
"""

from __future__ import annotations

# --- Armenian (Eastern) -------------------------------------------------------
# Nouns: plural (-եր, -ներ), case (genitive/dative -ի, ablative -ից,
# instrumental -ով, locative -ում), the article (-ը; -ն only after -ի: "-ին")
# and their combinations; a bare -ն, -ս, -դ is left: too many stems end in
# them ("Երևան", "Հայաստան").  Verbs: the infinitive, participles and the
# past ("հայտնել", "հայտնած", "հայտնեց", "զոհվել", "զոհվեցին").
ARMENIAN_ENDINGS = tuple(sorted("""
ներից ներում ներով ների ները ներն ներին ներս ներդ ներ
երից երում երով երի երը երն երին երս երդ եր
ից ում ով ին ի ը
ելու ելով ելիս եցին ացին եցել ացել վել վեց վում վող վան ված
ել ալ եց աց ած ող
""".split(), key=len, reverse=True))
# -ություն ("-ness", "-ship") changes in its genitive, dative and
# instrumental (-ության, -ությանը, -ությամբ): all become -ությ.
_ARMENIAN_NESS = ("ությամբ", "ության", "ություն")


def armenian(word: str) -> str:
    """The stem of a folded Armenian word: "նախարարությունում",
    "նախարարության" and "նախարարություն" are "նախարարությ";
    "փրկարարների" and "փրկարարներ" are "փրկարար"."""
    word = _cut(word, ARMENIAN_ENDINGS, 2)
    for ending in _ARMENIAN_NESS:
        if word.endswith(ending):
            return word[: -len(ending)] + "ությ"
    return word


# --- Azerbaijani (Latin) ------------------------------------------------------
# Written as `search.text.analysis.fold` leaves them: ı is i.  Plural, case,
# possession, "-dakı" ("the one in") and the copula ("-dır").  Endings that
# begin with a buffer consonant (n, y, s: "Bakının", "Bakıya", "atası") are
# cut only after a vowel, and so is a bare n: "-anın" may be "-a" + "nın"
# ("Portuqaliyanın") or "-an" + "ın" ("Azərbaycanın"), and either way the
# word ends up with the stem of its other forms ("portuqaliy", "azərbayc").
AZERBAIJANI_ENDINGS = tuple(sorted("""
lar lər
nin nun nün in un ün
nda ndə da də
ndan ndən dan dən
la lə ilə
ya yə a ə
ni nu nü i u ü
si su sü
miz muz müz
im um üm
daki dəki ki
dir dur dür
n
""".split(), key=len, reverse=True))
_VOWELS = frozenset("aıoueəiöü")


def azerbaijani(word: str) -> str:
    """The stem of a folded Azerbaijani word: "prezidentlərin" and
    "prezident" are "prezident"; "bakidaki", "bakinin" and "baki" are "bak"."""
    return _cut(word, AZERBAIJANI_ENDINGS, 4, buffered="nys")


def _cut(word: str, endings: tuple[str, ...], times: int, buffered: str = "") -> str:
    """``word`` without up to ``times`` of ``endings`` (longest first), keeping
    three letters (a word whose longest ending would leave fewer is kept
    whole: "evdə" is not "evd" + "ə"); an ending that begins with one of
    ``buffered`` is cut only after a vowel."""
    for _ in range(times):
        for ending in endings:
            rest = len(word) - len(ending)
            if word.endswith(ending) and (ending[0] not in buffered or word[rest - 1:rest] in _VOWELS):
                if rest < 3:  # a short word keeps its ending ("evdə" is not "evd" + "ə")
                    return word
                word = word[:rest]
                break
        else:
            break
    return word
