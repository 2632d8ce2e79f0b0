from qa.cite import Citation, cite_quote, locate, verified, verify
from tests.conftest import IDLE_SENTENCE, SEED

SOURCE = "seeds/" + SEED.name
TEXTS = {SOURCE: SEED.read_text(encoding="utf-8")}


def test_locate_exact_and_normalised():
    text = TEXTS[SOURCE]
    start, end = locate(IDLE_SENTENCE, text)
    assert text[start:end] == IDLE_SENTENCE
    # curly apostrophe in the source, straight in the claim; different case and spacing
    start, end = locate("at today's  MEETING of the cabinet", text)
    assert text[start:end] == "At today’s meeting of the Cabinet"


def test_fabricated_quote_is_dropped():
    assert cite_quote(SOURCE, "four projects stand idle", TEXTS) is None
    assert cite_quote("seeds/unknown.txt", IDLE_SENTENCE, TEXTS) is None
    good = cite_quote(SOURCE, "three projects stand idle", TEXTS)
    assert good is not None and verify(good, TEXTS)


def test_verified_drops_citations_that_do_not_match_their_offsets():
    text = TEXTS[SOURCE]
    i = text.index(IDLE_SENTENCE)
    ok = Citation(SOURCE, i, i + len(IDLE_SENTENCE), IDLE_SENTENCE)
    shifted = Citation(SOURCE, i + 1, i + 1 + len(IDLE_SENTENCE), IDLE_SENTENCE)
    invented = Citation(SOURCE, i, i + 20, "GDP grew by 5% in 2023")
    out_of_range = Citation(SOURCE, len(text) - 2, len(text) + 10, text[-2:])
    assert verified([ok, shifted, invented, ok, out_of_range], TEXTS) == [ok]
