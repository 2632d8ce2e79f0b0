from pathlib import Path

import pytest

from qa.chunking import chunk_document
from qa.documents import Document, Span, load_documents, read_document, sentences
from qa.errors import DocumentError
from tests.conftest import IDLE_SENTENCE, SEED

UNICODE = "Привет, мир! Это тест. 日本語の文。Ещё одно предложение?\n\nÉmile said “hi”. Done…  \n"


def _invariant(doc: Document) -> None:
    for s in sentences(doc):
        assert s.text == doc.text[s.start : s.end]
        assert s.text == s.text.strip() and s.text
    for c in chunk_document(doc, size=200, overlap=60):
        assert c.text == doc.text[c.start : c.end]


def test_seed_offsets_and_metadata():
    doc = read_document(SEED, SEED.parent.parent)
    assert doc.source == "seeds/000_c28c5033849fa43c.txt"
    assert doc.text == SEED.read_text(encoding="utf-8")  # kept whole, header included
    assert doc.metadata == {"date": "2024-04-02"}
    _invariant(doc)
    texts = [s.text for s in sentences(doc)]
    assert texts[0] == "date 2024-04-02"
    assert IDLE_SENTENCE in texts
    assert "29 out of 41 above-mentioned anchor projects, are operating successfully today." in texts


@pytest.mark.parametrize(
    "text", ["", "   \n\n ", "no punctuation at all", UNICODE, "Mr. Smith met Dr. J. Doe. Then left."]
)
def test_offset_invariant_edge_cases(text):
    _invariant(Document("x.txt", text))


def test_unicode_sentences():
    spans = sentences(Document("u.txt", UNICODE))
    assert [s.text for s in spans][:2] == ["Привет, мир!", "Это тест."]


def test_abbreviations_do_not_split():
    spans = sentences(Document("a.txt", "Mr. Smith met Dr. J. Doe. Then left."))
    assert [s.text for s in spans] == ["Mr. Smith met Dr. J. Doe.", "Then left."]


def test_unreadable_files_are_reported_and_skipped(tmp_path: Path):
    (tmp_path / "good.txt").write_text("Fine text.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02")
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")  # not a .txt/.md file: not picked up from a folder
    docs, problems = load_documents([tmp_path], tmp_path)
    assert [d.source for d in docs] == ["good.txt"]
    assert len(problems) == 2
    assert any("latin1.txt" in p and "UTF-8" in p for p in problems)
    assert any("bin.md" in p for p in problems)


def test_missing_file_names_it(tmp_path: Path):
    with pytest.raises(DocumentError, match="nope.txt"):
        read_document(tmp_path / "nope.txt", tmp_path)


def test_hard_wrapped_lines_are_one_sentence_and_blank_lines_end_one():
    text = "The river is long\nand it freezes\nin winter. It thaws in May\n\nA new paragraph\nstarts here.\n"
    spans = sentences(Document("r.txt", text))
    assert [" ".join(s.text.split()) for s in spans] == [
        "The river is long and it freezes in winter.",
        "It thaws in May",
        "A new paragraph starts here.",
    ]
    _invariant(Document("r.txt", text))


def test_sentences_know_title_and_section():
    doc = Document("guide.md", "# Pump Guide\n\n## 2. Care\n\nOil it\nweekly.\n")
    last = sentences(doc)[-1]
    assert (last.text, last.title, last.section, last.header) == (
        "Oil it\nweekly.",
        "Pump Guide",
        ("2. Care",),
        "Pump Guide › 2. Care",
    )
    assert last == Span("guide.md", last.start, last.end, last.text)  # equality is by offsets and text
