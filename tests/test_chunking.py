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
