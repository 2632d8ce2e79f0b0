"""Questions about a corpus's own structure (issue 7): section headings answered in code, a section
the named document lacks refused, "which section" answered with a heading, comparisons citing each
document. Two small hard-wrapped licences, the fake embedder, and a fake model."""

import re
from pathlib import Path

import pytest

from qa.answer import Part
from qa.settings import Settings
from tests.conftest import FakeChat, FakeEmbedder

FOO = """FOO PUBLIC LICENSE
Version 2, 1 May 2001

1. Definitions.

"Software" means the program
covered by this licence.

2. Grant of Rights.

You may copy and share the Software
at no charge.

3. Termination.

Your rights end at once if you break
these terms, and the written offer stays valid for three years.
"""
BAR = """BAR COMMUNITY LICENSE
Version 1.0

1. Scope.

This licence covers fonts
and their glyph files.

2. Notices.

A written offer must stay valid for two years
after the last shipment.
"""


@pytest.fixture
def answerer(tmp_path: Path):
    from qa.pipeline import build_answerer, index_documents

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "foo-license.txt").write_text(FOO)
    (tmp_path / "seeds" / "bar-license.txt").write_text(BAR)
    (tmp_path / "seeds" / "notes.md").write_text("# Release notes\n\nVersion 4 adds a faster parser.\n")
    s = Settings(root=tmp_path, llm="extractive", context_chars=200, evidence_chars=400)
    emb = FakeEmbedder()
    index_documents(s, embedder=emb)

    def make(chat=None):
        return build_answerer(s, embedder=emb, backend=chat)

    return make


def test_a_section_title_is_answered_from_its_heading_without_the_model(answerer):
    chat = FakeChat("Section 2 is about fonts. [1]")
    ans = answerer(chat).answer("What is the title of section 2 of the Foo Public License?")
    assert not ans.refused and "Grant of Rights" in ans.text
    assert [c.quote for c in ans.citations] == ["2. Grant of Rights."]
    assert chat.seen == []  # no model call was needed


def test_what_a_section_covers_is_answered_with_its_heading_and_first_sentence(answerer):
    chat = FakeChat("Section 3 is about fonts. [1]")
    ans = answerer(chat).answer("What does section 3 of the Foo Public License cover?")
    assert not ans.refused and "3. Termination." in ans.text and "Your rights end at once" in ans.text
    assert [c.quote.split()[:3] for c in ans.citations] == [["3.", "Termination."], ["Your", "rights", "end"]]
    assert chat.seen == []


def test_an_answer_citing_only_a_heading_gives_what_the_section_says(answerer):
    def reply(m):
        line = next(x for x in m[0]["content"].splitlines() if x.endswith("3. Termination."))
        return f"It describes the termination of the licence. [{line.split(']')[0].lstrip('[')}]"

    a = answerer(FakeChat(reply))
    head = next(s for s in a.retriever.sentences if s.text == "3. Termination.")
    problem = a.verifier._problem(
        Part("How does termination work?"), "It describes the termination of the licence.", [head]
    )
    assert problem is not None and "headings" in problem
    ans = a.answer("How does termination work?")
    assert not ans.refused and any(c.quote != "3. Termination." for c in ans.citations), ans.text


def test_a_follow_up_naming_only_a_section_gets_its_heading(answerer):
    history = [{"role": "user", "content": "What is section 1 of the Foo Public License called?"},
               {"role": "assistant", "content": "Definitions."}]  # fmt: skip
    ans = answerer(FakeChat("x")).answer("And section 3?", history)
    assert "Termination" in ans.text and ans.citations[0].source.endswith("foo-license.txt")


def test_a_section_the_named_document_lacks_is_refused(answerer):
    ans = answerer(FakeChat("Section 9 says you may sell it. [1]")).answer(
        "What does section 9 of the Foo License say?"
    )
    assert ans.refused and "no section 9" in ans.refusal_reason


def test_which_section_is_answered_with_the_heading_of_the_evidence(answerer):
    ans = answerer().answer("Which section of the Foo Public License deals with termination?")
    assert not ans.refused and "3. Termination." in ans.text
    assert ans.citations[0].quote == "3. Termination."


def test_a_comparison_is_asked_of_each_document_it_names(answerer):
    chat = FakeChat(_years)
    ans = answerer(chat).answer(
        "How long must the written offer stay valid under the Foo License and under the Bar License?"
    )
    assert len(chat.seen) == 2  # one draft per document, each from that document's sentences
    assert {c.source.split("/")[-1] for c in ans.citations} == {"foo-license.txt", "bar-license.txt"}
    assert "bar-license.txt: A written offer stays valid for two years" in ans.text
    assert "foo-license.txt: A written offer stays valid for three years" in ans.text


def _years(messages):
    """A fake model that answers from the first numbered sentence it is shown that gives years."""
    text = "\n".join(m["content"] for m in messages)
    found = re.search(r"\[(\d+)\][^\[]*?\b(two|three) years", text)
    return f"A written offer stays valid for {found.group(2)} years. [{found.group(1)}]" if found else "NOT IN DOCUMENT"


def test_evidence_after_keeps_the_system_message_the_same_for_every_question(answerer):
    chat = FakeChat("NOT IN DOCUMENT")
    a = answerer(chat)
    a.generator.evidence_after = True
    a.answer("How long must the written offer stay valid under the Foo License?")
    a.answer("What does the Software mean in the Foo Public License?")
    systems = {m[0]["content"] for m in chat.seen}
    assert len(chat.seen) == 2 and len(systems) == 1 and "\n<documents>\n" not in systems.pop()
    assert all("<documents>\n" in m[-1]["content"] and "Question:" in m[-1]["content"] for m in chat.seen)


def test_a_sentence_the_model_read_but_did_not_name_supports_only_if_about_the_ask(answerer):
    from qa.answer.types import Part

    a = answerer()
    shown = tuple(a.retriever.sentences)
    offer = next(s for s in shown if "two years" in s.text)
    grant = next(s for s in shown if "at no charge" in s.text)
    ask = Part("How long must a written offer stay valid under the Bar License?")
    assert a.verifier.also_read(ask, "It stays valid for two years.", [], shown) == []  # a new figure: no
    assert offer in a.verifier.also_read(ask, "It must stay valid.", [], shown)
    assert grant not in a.verifier.also_read(ask, "It must stay valid.", [], shown)


def test_a_comparison_says_which_document_does_not_say(answerer):
    def only_three(messages):
        said = _years(messages)
        return said if "three" in said else "NOT IN DOCUMENT"

    ans = answerer(FakeChat(only_three)).answer(
        "How long must the written offer stay valid under the Foo License and under the Bar License?"
    )
    assert "bar-license.txt does not say." in ans.text and "three years" in ans.text
    assert {c.source.split("/")[-1] for c in ans.citations} == {"foo-license.txt"}


def test_a_date_question_naming_a_version_is_answered_from_the_changelog_heading_that_dates_it(tmp_path):
    from qa.answer.sections import dated_heading
    from qa.answer.types import Part
    from qa.pipeline import build_answerer, index_documents
    from qa.settings import Settings
    from tests.conftest import FakeEmbedder

    (tmp_path / "docs").mkdir()
    readme = "# fasthash\n\n## Changelog\n\n### [5.3.1] - 2026-10-01\n\n- Add wheels.\n\n### [5.3.0] - 2026-08-26\n\n- Add 3.15.\n"
    (tmp_path / "docs" / "fasthash.md").write_text(readme, encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=300, chunk_overlap=0)
    index_documents(settings, [tmp_path / "docs"], embedder=FakeEmbedder())
    r = build_answerer(settings, embedder=FakeEmbedder()).retriever
    found = dated_heading(Part("What is the release date of fasthash version 5.3.0?"), r)
    assert found is not None and found.text == "[5.3.0] - 2026-08-26 [1]" and found.citations[0].quote.endswith("08-26")
    assert dated_heading(Part("When was fasthash 5.9.0 released?"), r) is None  # no heading dates it
    assert dated_heading(Part("What changed in fasthash 5.3.0?"), r) is None  # no date asked


BAZ = """BAZ LICENSE
Version 3

1. Definitions.

"Contribution" means any work submitted to the Licensor
for inclusion in the Work.

2. Grant.

You may use the Work at no charge.

5. Submission of Contributions.

Unless you say otherwise, a contribution is under these terms.

10. Versions of the License.

10.1. New Versions.

Only the steward may publish new versions.
"""


def test_which_section_prefers_the_heading_that_names_it_and_gives_the_numbered_path(tmp_path: Path):
    from qa.pipeline import build_answerer, index_documents

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "baz-license.txt").write_text(BAZ)
    s = Settings(root=tmp_path, llm="extractive", context_chars=100, evidence_chars=400)
    emb = FakeEmbedder()
    index_documents(s, embedder=emb)
    a = build_answerer(s, embedder=emb, backend=None)
    ans = a.answer("Which numbered section of the Baz License deals with submitting contributions?")
    assert '"5. Submission of Contributions."' in ans.text and "Definitions" not in ans.text  # not the definition
    ans = a.answer("Which section of the Baz License covers the steward?")
    assert '"10. Versions of the License." › "10.1. New Versions."' in ans.text, ans.text
    assert [c.quote for c in ans.citations] == ["10. Versions of the License.", "10.1. New Versions."]


def test_a_version_the_named_document_never_writes_is_refused_not_answered_from_its_title(answerer):
    from qa.answer.gather import structural
    from qa.answer.types import Gathered
    from qa.check import Judgement
    from qa.retrieve import Evidence

    ans = answerer(FakeChat("Version 2, 1 May 2001. [1]")).answer(
        "When was version 7.5 of the Foo Public License published?"
    )
    assert ans.refused and ans.refusal_reason == "the documents never mention version 7.5"
    r = answerer().retriever
    top = tuple(
        Evidence(s, 1.0, 0.8, 1.0) for s in r.sentences if s.source.endswith("foo-license.txt") and r.in_title(s)
    )
    part = Part("When was version 7.5 of the Foo Public License published?")
    other = Judgement(False, "no sentence in the documents covers the question", 1.0, 0.8, ())
    assert structural(part, Gathered((), top, other), r).answerable  # the title block is what it asks about ...
    premise = Judgement(False, "the documents never mention version 7.5", 1.0, 0.8, (), premise=True)
    assert structural(part, Gathered((), top, premise), r) is None  # ... unless it names a version never written


def test_which_section_must_name_every_name_the_question_asks_about(answerer):
    from qa.answer.sections import section_answer

    a = answerer()
    q = "Which section of the Foo Public License covers ending the rights you break?"
    found = section_answer(Part(q), a.gatherer.gather(Part(q)), a.retriever)
    assert found is not None and "3. Termination." in found.text
    q = "Which section of the Foo Public License covers ending the rights of AGPL code?"  # the licence never says AGPL
    assert section_answer(Part(q), a.gatherer.gather(Part(q)), a.retriever) is None


def test_a_question_asking_why_is_not_answered_from_the_title_block(answerer):
    from qa.answer.sections import title_answer

    a = answerer()
    for q, kept in (
        ("When was the Foo Public License published?", True),
        ("Why was the Foo Public License published?", False),
    ):
        block = title_answer(Part(q), a.gatherer.gather(Part(q)), a.retriever)
        assert (block is not None and "1 May 2001" in block.text) is kept, q


QUX = """QUX GENERAL LICENSE
Version 3, 9 June 2004

Copyright (C) 2004 Qux Foundation, Inc.
Everyone may copy this licence.

1. Scope.

This licence covers tools.
"""


def test_the_title_block_line_the_question_points_at_answers_it(tmp_path: Path):
    from qa.answer.sections import title_answer
    from qa.pipeline import build_answerer, index_documents

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "qux-license.txt").write_text(QUX)
    (tmp_path / "seeds" / "bar-license.txt").write_text(BAR)  # a question names one of several documents
    s = Settings(root=tmp_path, llm="extractive", context_chars=100, evidence_chars=400)
    emb = FakeEmbedder()
    index_documents(s, embedder=emb)
    a = build_answerer(s, embedder=emb, backend=None)
    for q, said in (
        ("What is the copyright line at the top of the Qux General License?", "Copyright (C) 2004"),
        ("Who holds the copyright on the Qux General License?", "Copyright (C) 2004"),
        ("When was the Qux General License published?", "9 June 2004"),
    ):
        block = title_answer(Part(q), a.gatherer.gather(Part(q)), a.retriever)
        assert block is not None and said in block.text, (q, block)


def test_one_side_of_a_comparison_is_searched_without_the_words_that_compare(tmp_path: Path):
    from qa.pipeline import build_answerer, index_documents

    (tmp_path / "seeds").mkdir()
    for name, years in (("zorblax", "three"), ("quindle", "two")):
        (tmp_path / "seeds" / f"{name}-license.txt").write_text(
            f"{name.upper()} LICENSE\n\n1. Offers.\n\nA written offer stays valid for {years} years.\n\n"
            "2. Versions.\n\nLater versions may differ in detail between releases.\n"
        )
    (tmp_path / "seeds" / "notes.md").write_text("# Release notes\n\nVersion 4 adds a faster parser.\n")  # not named
    s = Settings(root=tmp_path, llm="extractive", context_chars=100, evidence_chars=400)
    emb = FakeEmbedder()
    index_documents(s, embedder=emb)
    a = build_answerer(s, embedder=emb, backend=None)
    parts = a.planner.plan(
        "How does the written offer differ between the Zorblax License and the Quindle License?"
    ).parts
    assert [p.document_name for p in parts] == ["quindle-license.txt", "zorblax-license.txt"]
    for p in parts:
        assert "written offer" in a.gatherer.gather(p).evidence[0].span.text, p  # not "may differ … between"


def test_one_documents_answer_to_a_comparison_does_not_compare(answerer):
    a = answerer()
    part = a.planner.plan("Is the written offer the same under the Foo License and the Bar License?").parts[0]
    offer = next(s for s in a.retriever.sentences if s.source == part.document and "written offer" in s.text)
    assert "compares" in (a.verifier.ungrounded(part, "Yes, the written offer is the same.", [offer]) or "")
    assert a.verifier.ungrounded(part, offer.text, [offer]) is None
