import pytest

from qa.chunking import chunk_document
from qa.documents import read_document, sentences
from tests.conftest import SEED


@pytest.mark.parametrize(("size", "overlap"), [(100, 0), (300, 80), (500, 120), (5000, 0)])
def test_chunks_keep_whole_sentences(size, overlap):
    doc = read_document(SEED, SEED.parent.parent)
    sents = sentences(doc)
    chunks = chunk_document(doc, size=size, overlap=overlap)
    starts = {s.start for s in sents}
    ends = {s.end for s in sents}
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
        assert c.start in starts and c.end in ends  # boundaries fall between sentences
        inside = [s for s in sents if c.start <= s.start < c.end]
        assert len(inside) == 1 or len(c.text) <= size  # only a lone long sentence may exceed size
    covered = {s.start for s in sents for c in chunks if c.start <= s.start and s.end <= c.end}
    assert covered == starts  # every sentence is in some chunk
    if overlap == 0:
        assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:], strict=False))


def test_ids_derive_from_content():
    doc = read_document(SEED, SEED.parent.parent)
    a = chunk_document(doc, 300, 80)
    b = chunk_document(doc, 300, 80)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_chunks_carry_headers_and_start_at_sections():
    from qa.chunking import chunk_id
    from qa.documents import Document

    body = "Some words about the topic here. " * 5
    text = f"# Manual\n\n## Setup\n\n{body}\n\n## Use\n\n{body}\n"
    doc = Document("m.md", text)
    chunks = chunk_document(doc, size=500, overlap=120)
    assert [c.header for c in chunks] == ["Manual › Setup", "Manual › Use"]  # a new section starts a chunk
    assert chunks[1].text.startswith("Use")
    assert chunks[1].indexed.startswith("Manual › Use\nUse Some words")  # whitespace collapsed
    for c in chunks:
        assert c.text == text[c.start : c.end]
        assert c.id == chunk_id(c.source, c.start, c.text, c.header)
    retitled = chunk_document(Document("m.md", text.replace("# Manual", "# Handbook")), 500, 120)
    assert retitled[1].text == chunks[1].text and retitled[1].id != chunks[1].id  # the header is in the id
