"""Retrieval across documents (a question naming a document or a section) and the bounded
context block, with the fake embedder."""

from collections import Counter
from pathlib import Path

import pytest

from qa.pipeline import build_answerer, index_documents
from qa.retrieve import Evidence, readable, render
from qa.settings import Settings
from qa.structure import is_heading
from qa.text import BM25
from tests.conftest import FakeEmbedder

FOO_1 = """FOO LICENSE
Version 1, 1 January 1999

Preamble

The licence lets you copy and share the software. You must keep the notices.

1. Definitions.

"Software" means the program and its manual.

2. Copying.

You may copy the software and share copies of it with anyone.

3. Warranty Disclaimer.

There is no warranty for the software.

4. Termination of Rights.

Your rights end if you break the terms of this licence.
"""

BAR = """BAR LICENSE
Version 2, 3 May 2001

Preamble

The licence lets you copy and share the software. You must keep the notices and share the source.

1. Definitions.

"Software" means the program, its source and its manual.

2. Copying.

You may copy the software and share copies of it with anyone who agrees.

3. Patents.

Each contributor grants you a patent licence for the software.

4. Ending the Licence.

Your rights end if you break the terms of this licence and do not cure it.
"""


@pytest.fixture
def two(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "foo-license.txt").write_text(FOO_1, encoding="utf-8")
    (tmp_path / "docs" / "qux-terms.txt").write_text(BAR, encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=200, chunk_overlap=0)
    embedder = FakeEmbedder()
    index_documents(settings, [tmp_path / "docs"], embedder=embedder)
    return settings, embedder


def _retriever(settings, embedder, **overrides):
    return build_answerer(settings.model_copy(update=overrides), embedder=embedder, backend=None).retriever


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("When was the Bar Licence published?", "docs/qux-terms.txt"),
        ("When was the Foo licence published?", "docs/foo-license.txt"),
        ("What may I copy under the FOO license?", "docs/foo-license.txt"),
        ("What may I copy under the bar license?", "docs/qux-terms.txt"),
    ],
)
def test_question_naming_a_document_gets_it(two, question, source):
    r = _retriever(*two)
    assert r.named(question) == {source}
    assert r.retrieve(question)[0].chunk.source == source


def test_section_named_by_number_in_the_named_document(two):
    r = _retriever(*two)
    q = "What is section 4 of the Bar licence called?"
    hits = r.retrieve(q)
    assert hits[0].chunk.source == "docs/qux-terms.txt"
    assert "4. Ending the Licence." in hits[0].chunk.text
    best = r.evidence(q, hits, 4)[0].span
    assert best.text == "4. Ending the Licence." and best.title == "BAR LICENSE Version 2, 3 May 2001"


def test_file_name_words_name_a_document_only_through_the_boost(two):
    q = "What may I copy under the qux terms?"  # "qux" is in the file name, not in the text
    on = _retriever(*two)
    assert on.named(q) == {"docs/qux-terms.txt"}
    assert on.retrieve(q)[0].chunk.source == "docs/qux-terms.txt"
    off = _retriever(*two, structure_weight=0.0)
    assert off.retrieve(q)[0].chunk.source == "docs/foo-license.txt"  # shorter text wins BM25 ties


def test_chunk_headers_are_indexed(two):
    r = _retriever(*two)
    c = next(c for c in r.chunks if "patent licence" in c.text)
    assert c.header == "BAR LICENSE Version 2, 3 May 2001 › 3. Patents."  # "Preamble" had text: a sibling
    assert c.indexed.startswith(c.header + "\n")
    assert "bar" in r.vocabulary  # document names are words of the corpus


def test_reindex_with_headers_adds_nothing(two):
    settings, embedder = two
    report, _ = index_documents(settings, [settings.root / "docs"], embedder=embedder)
    assert report.added == 0 and report.unchanged > 0


def _size(spans) -> int:
    """Characters of a context block as the model reads it (wraps collapsed), separators included."""
    return sum(len(readable(s.text)) for s in spans) + len(spans) - 1


def test_a_corpus_that_fits_goes_whole(make_answerer):
    r = make_answerer().retriever  # the seed: under 6,000 characters
    assert r.corpus_chars <= 6000
    assert r.context([], 6000) == r.sentences == r.context([], r.corpus_chars)


def _ev(r, i: int) -> Evidence:
    return Evidence(r.sentences[i], 1.0, 0.5, 1.0)


def test_context_is_whole_corpus_when_it_fits_and_bounded_otherwise(two):
    r = _retriever(*two)
    total = _size(r.sentences)
    assert total <= r.corpus_chars
    pick = next(i for i, s in enumerate(r.sentences) if "patent licence" in s.text)
    assert r.context([_ev(r, pick)], total) == r.sentences  # fits: all of it, in document order
    assert r.context([], total) == r.sentences  # the same block without evidence: a stable prefix
    small = r.context([_ev(r, pick)], 150)
    assert r.sentences[pick] in small and _size(small) <= 150
    assert any(s.text == "3. Patents." for s in small)  # its section heading comes along
    order = [r.sentences.index(s) for s in small]
    assert order == sorted(order)


def test_context_has_no_cliff_at_the_budget(two):
    r = _retriever(*two)
    total = _size(r.sentences)
    longest = max(len(s.text) + 1 for s in r.sentences)
    pick = [_ev(r, 5), _ev(r, 20)]
    sizes = [_size(r.context(pick, b)) for b in range(total - 300, total + 2)]
    assert all(b - longest < size <= b for b, size in zip(range(total - 300, total + 2), sizes, strict=True))
    assert sizes == sorted(sizes)  # one character more never shows less


def test_render_names_documents_and_collapses_wraps(two):
    r = _retriever(*two)
    block = render(r.context([], 10_000))
    assert "(BAR LICENSE Version 2, 3 May 2001 — docs/qux-terms.txt)" in block
    assert "[1] FOO LICENSE Version 1, 1 January 1999\n" in block  # the wrapped title on one line


def test_loaded_chunks_get_the_headers_chunking_gave_them(two):
    from qa.chunking import chunk_document
    from qa.documents import read_document

    settings, embedder = two
    r = _retriever(settings, embedder)
    made = [
        c
        for p in sorted((settings.root / "docs").iterdir())
        for c in chunk_document(read_document(p, settings.root), 200, 0)
    ]
    assert [(c.id, c.header) for c in r.chunks] == [
        (c.id, c.header) for c in sorted(made, key=lambda c: (c.source, c.start))
    ]


@pytest.mark.parametrize(
    ("question", "date"),
    [
        ("When was the Bar Licence published?", "3 May 2001"),
        ("Which version of the foo license is this?", "1 January 1999"),
    ],
)
def test_date_or_version_of_a_named_document_comes_from_its_title(two, question, date):
    r = _retriever(*two)
    hits = r.retrieve(question)
    assert date in hits[0].chunk.text
    assert date in r.evidence(question, hits, 4)[0].span.text


def test_a_question_naming_two_documents_names_both(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "foo-license.txt").write_text(FOO_1, encoding="utf-8")
    (tmp_path / "docs" / "bar-license.txt").write_text(BAR, encoding="utf-8")
    (tmp_path / "docs" / "zed.md").write_text("# Zed Notes\n\nZed copies nothing.\n", encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=200, chunk_overlap=0)
    index_documents(settings, [tmp_path / "docs"], embedder=FakeEmbedder())
    r = _retriever(settings, FakeEmbedder())
    both = {"docs/foo-license.txt", "docs/bar-license.txt"}
    assert r.named("How long do rights last under the Foo licence and under the Bar licence?") == both
    assert r.named("What does the Zed note say?") == {"docs/zed.md"}
    hits = r.retrieve("When do my rights end under the Foo licence and the Bar licence?", 6)
    assert {h.chunk.source for h in hits[:2]} == both


# ---- the lexical engine (bm25s, saved per generation) and reading only what the hits need --------
QUESTIONS = [
    "Who grants a patent licence?",
    "When do your rights end under the Bar Licence?",
    "What does section 2 of the foo license say?",
    "Is there a warranty for the software?",
    "What must you keep?",
]


def _everything(r) -> tuple[list, list, BM25, BM25]:
    """The corpus held whole, as the retriever did before: every chunk and sentence in memory."""
    from qa.chunking import chunk_document
    from qa.documents import sentences

    docs = [r.docs[s] for s in sorted(r.docs)]
    chunks = sorted((c for d in docs for c in chunk_document(d, 200, 0)), key=lambda c: (c.source, c.start))
    sents = [s for d in docs for s in sentences(d)]
    return chunks, sents, BM25([c.indexed for c in chunks]), BM25([s.text for s in sents])


def test_lexical_engine_ranks_as_bm25_over_every_chunk_and_sentence(two):
    r = _retriever(*two, retriever="bm25")
    chunks, sents, chunk_bm25, sent_bm25 = _everything(r)
    assert [(c.id, c.header, c.text) for c in r.chunks] == [(c.id, c.header, c.text) for c in chunks]
    assert r.sentences == sents and r.vocabulary >= set(sent_bm25.idf)
    for q in QUESTIONS:
        old = chunk_bm25.scores(q)
        assert r.lex.scores(q) == pytest.approx(old)
        assert r.lex.top(r.lex.scores(q), 32) == [i for i, _ in chunk_bm25.top(q, 32)]
        hits = r.retrieve(q)
        inside = [
            i
            for i, s in enumerate(sents)
            if any(h.chunk.start <= s.start < h.chunk.end and h.chunk.source == s.source for h in hits)
        ]
        lex_all = sent_bm25.scores(r._unnamed(q, r.named(q)))
        for e in r.evidence(q, hits, 8):  # scored as against every sentence, without scoring them all
            assert e.bm25 == pytest.approx(lex_all[sents.index(e.span)]) and sents.index(e.span) in inside


def test_retriever_reads_only_the_documents_of_its_hits(two):
    r = _retriever(*two)
    assert r._doc.cache_info().currsize == 0  # ready without reading a text
    hits = r.retrieve("Who grants a patent licence?", 1)
    r.evidence("Who grants a patent licence?", hits, 4)
    assert r._doc.cache_info().currsize == 1 and hits[0].chunk.source == "docs/qux-terms.txt"
    assert r.texts["docs/qux-terms.txt"] == BAR and len(r.docs) == 2 and r.corpus_chars == len(FOO_1) + len(BAR)
    assert r.titles["docs/qux-terms.txt"] == "BAR LICENSE Version 2, 3 May 2001"
    assert {"1999", "2001"} <= r.corpus_numbers
    assert r.chunk_counts == Counter(c.source for c in r.chunks)


def test_an_index_without_a_saved_engine_gets_one_once(two):
    import shutil

    settings, embedder = two
    first = _retriever(settings, embedder)
    folder = settings.index_path / "lexical" / first.index.active()
    shutil.rmtree(folder)  # as an index written before engines were saved
    again = _retriever(settings, embedder)
    assert folder.is_dir() and [h.chunk.id for h in again.retrieve(QUESTIONS[0])] == [
        h.chunk.id for h in first.retrieve(QUESTIONS[0])
    ]


def test_each_generation_keeps_its_own_engine_and_a_dropped_one_loses_it(two):
    settings, embedder = two
    r = _retriever(settings, embedder)
    old = r.index.active()
    (settings.root / "docs" / "qux-terms.txt").write_text(BAR + "\n5. Baz.\n\nThe baz clause is new.\n")
    index_documents(settings, [settings.root / "docs"], embedder=embedder)
    r.refresh()
    assert r.index.active() != old
    assert {p.name for p in (settings.index_path / "lexical").iterdir()} == {r.index.active()}
    assert r.retrieve("What does the baz clause say?", 1)[0].chunk.text.startswith("5. Baz.")


def test_markdown_link_definitions_are_no_evidence(tmp_path: Path):
    notes = (
        "# Changelog\n\n## [5.3.1] - 2026-10-01\n\n### Added\n\n- Add Linux riscv64 wheels.\n\n"
        "## [5.3.0] - 2026-08-26\n\n### Added\n\n- Add support for Python 3.15.\n\n"
        "[5.3.1]: https://example.org/compare/v5.3.0...v5.3.1\n[5.3.0]: https://example.org/compare/v5.2.1...v5.3.0\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "changes.md").write_text(notes, encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=2000, chunk_overlap=0)
    index_documents(settings, [tmp_path / "docs"], embedder=FakeEmbedder())
    r = _retriever(settings, FakeEmbedder())
    q = "What did 5.3.1 add?"
    assert any("https://example.org" in s.text for s in r.sentences)  # still a sentence of the document
    texts = [e.span.text for e in r.evidence(q, r.retrieve(q), 8)]
    assert texts and not any(t.startswith("[5.3.1]:") for t in texts)


def test_an_index_chunked_by_another_sentence_splitter_asks_to_be_rebuilt(two, monkeypatch):
    import qa.retrieve as retrieve
    from qa.errors import IndexCorrupt

    _retriever(*two)  # built by this version: opens
    monkeypatch.setattr(retrieve, "CHUNKER", "h0")
    with pytest.raises(IndexCorrupt, match="run `qa index` again"):
        _retriever(*two)


def test_a_section_heading_comes_along_without_taking_a_sentences_place(two):
    r = _retriever(*two)
    q = "What does the warranty disclaimer of the Foo licence say?"
    evidence = r.evidence(q, r.retrieve(q), 1)
    texts = [e.span.text for e in evidence]
    assert "3. Warranty Disclaimer." in texts  # the heading, ranked first for its words
    assert len([e for e in evidence if not is_heading(e.span)]) == 1  # and one sentence that says something


def test_a_name_and_version_naming_one_document_names_it_beside_a_longer_name(tmp_path: Path):
    docs = {
        "apache-2.0.txt": "Apache License\nVersion 2.0, January 2004\n\nYou may reproduce the Work.\n",
        "gpl-2.0.txt": "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n\nYou may copy the Program.\n",
        "gpl-3.0.txt": "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n\nYou may convey the work.\n",
        "mpl-2.0.txt": "Mozilla Public License Version 2.0\n\nYou may distribute the Covered Software.\n",
    }
    (tmp_path / "docs").mkdir()
    for name, text in docs.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=200, chunk_overlap=0)
    index_documents(settings, [tmp_path / "docs"], embedder=FakeEmbedder())
    r = _retriever(settings, FakeEmbedder())
    q = "Which came out first, the Apache License 2.0 or GPL version 3?"  # "license 2.0" is no one document
    assert r.named(q) == {"docs/apache-2.0.txt", "docs/gpl-3.0.txt"}
    assert r.named("What does GPL version 2 say?") == {"docs/gpl-2.0.txt"}
