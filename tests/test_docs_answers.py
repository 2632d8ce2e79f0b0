"""Multi-document behaviour (issue 7): documents named with versions, the evidence block, the
fewest citations, title-block questions. Fakes only (FakeEmbedder, FakeChat)."""

from dataclasses import replace
from pathlib import Path

import pytest

from qa.answer.sections import title_answer
from qa.answer.types import Accept, Draft, Part
from qa.check import declines, supported
from qa.pipeline import build_answerer, index_documents
from qa.retrieve import Evidence, readable, render
from qa.settings import Settings
from qa.structure import TITLE_ASK, version_pairs
from tests.conftest import FakeChat, FakeEmbedder

GPL2 = """GNU GENERAL PUBLIC LICENSE
Version 2, June 1991

Preamble

The licenses for most software are designed to take away your freedom to share and change it.

4. Termination.

You may not copy or sublicense the Program except as expressly provided under this License.
Any attempt otherwise to sublicense the Program is void, and will automatically terminate your
rights under this License.

5. Versions.

If the Program does not specify a version number of this License, you may choose any version
ever published by the Free Software Foundation.
"""

GPL3 = """GNU GENERAL PUBLIC LICENSE
Version 3, 29 June 2007

Copyright (C) 2007 Free Software Foundation, Inc. Everyone is permitted to copy and distribute
verbatim copies of this license document, but changing it is not allowed.

Preamble

The GNU General Public License is a free, copyleft license for software.

8. Termination.

However, if you cease all violation of this License, then your license is reinstated
permanently if the copyright holder fails to notify you of the violation prior to 60 days
after the cessation.

If your rights have been terminated, you do not qualify to receive new licenses.
"""

MPL = """Mozilla Public License Version 2.0

1. Definitions.

Mozilla Foundation is the license steward.

*

5. Termination.

Your rights are reinstated on an ongoing basis if the Contributor fails to notify You of the
non-compliance prior to 60 days after You have come back into compliance.

Use [Bloom filter](https://en.wikipedia.org/wiki/Bloom_filter) and
[MinHash](https://en.wikipedia.org/wiki/MinHash) with it.
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Settings, FakeEmbedder]:
    root: Path = tmp_path_factory.mktemp("docs")
    (root / "docs").mkdir()
    for name, text in (("gpl-2.0.txt", GPL2), ("gpl-3.0.txt", GPL3), ("mpl-2.0.txt", MPL)):
        (root / "docs" / name).write_text(text, encoding="utf-8")
    settings = Settings(root=root, llm="extractive", chunk_size=300, chunk_overlap=0, context_chars=400)
    embedder = FakeEmbedder()
    index_documents(settings, [root / "docs"], embedder=embedder)
    return settings, embedder


def _answerer(corpus, backend=None, **overrides):
    settings, embedder = corpus
    return build_answerer(settings.model_copy(update=overrides), embedder=embedder, backend=backend)


def _span(r, text: str):
    return next(s for s in r.sentences if s.text.startswith(text))


def test_a_version_given_to_a_name_picks_that_version():
    assert sorted(version_pairs("under GPLv3 and MPL 2.0")) == [("gpl", "3"), ("gplv", "3"), ("mpl", "2.0")]
    assert ("gpl", "2") in version_pairs("version 2 of the GPL")


def test_named_documents_follow_the_versions_asked(corpus):
    r = _answerer(corpus).retriever
    assert r.named("How many days under GPLv3 and under MPL 2.0?") == {"docs/gpl-3.0.txt", "docs/mpl-2.0.txt"}
    assert r.named("What changed between GPLv2 and GPLv3?") == {"docs/gpl-2.0.txt", "docs/gpl-3.0.txt"}
    assert r.named("Who may publish the GPL version 2?") == {"docs/gpl-2.0.txt"}


def test_a_comparison_is_asked_of_each_document_in_its_own_name(corpus):
    plan = _answerer(corpus).planner.plan("How many days do GPLv3 and the MPL 2.0 give you to cure a violation?")
    assert [(p.document, p.text) for p in plan.parts] == [
        ("docs/gpl-3.0.txt", "How many days do GPLv3 give you to cure a violation?"),
        ("docs/mpl-2.0.txt", "How many days do the MPL 2.0 give you to cure a violation?"),
    ]
    plan = _answerer(corpus).planner.plan("Is GPLv3 stricter than GPLv2?")  # not joined by "and"/"or": as asked
    assert [p.text for p in plan.parts] == ["Is GPLv3 stricter than GPLv2?"] * 2


def test_what_a_document_is_is_answered_from_its_own_description(corpus):
    a = _answerer(corpus)
    gathered = a.gatherer.gather(Part("What is the GPL version 3?"))
    assert gathered.evidence[0].span.text.startswith("The GNU General Public License is a free, copyleft license")
    for other in ("When was the GPL version 3 published?", "What is section 8 of the GPL version 3?"):
        assert not a.gatherer.gather(Part(other)).evidence[0].span.text.startswith("The GNU General Public")
    mpl = a.gatherer.gather(Part("What is the MPL 2.0?"))  # no sentence of it says what it is: as retrieved
    assert all("is a" not in e.span.text for e in mpl.evidence[:1])


def test_evidence_block_keeps_the_best_sentences_paragraph_and_drops_stray_lines(corpus):
    r = _answerer(corpus).retriever
    best = _span(r, "You may not copy or sublicense")
    far = _span(r, "The licenses for most software")
    block = r.context([Evidence(best, 1.0, 0.5, 1.0), Evidence(far, 0.9, 0.4, 0.9)], 260)
    texts = [s.text for s in block]
    assert any(t.startswith("Any attempt otherwise") for t in texts)  # beside the best one, before the next
    assert not any(t.startswith("The licenses for most") for t in texts)  # no room left for it
    mpl = r.context([Evidence(_span(r, "Mozilla Foundation is"), 1.0, 0.5, 1.0)], 200)
    assert any("Bloom filter" in s.text for s in mpl)  # a far sentence with words comes before a stray "*"
    gpl = r.context([Evidence(best, 1.0, 0.5, 1.0)], 900)
    assert "*" not in [s.text for s in gpl]  # never a stray line of a document not shown
    assert sum(len(readable(s.text)) for s in block) + len(block) - 1 <= 260  # counted as the model reads it


def test_links_are_read_as_their_text():
    assert readable("Use [Bloom filter](https://en.wikipedia.org/wiki/Bloom_filter) and\n  more.") == (
        "Use Bloom filter and more."
    )


def test_an_answer_cites_only_the_sentences_it_needs(corpus):
    a = _answerer(corpus)
    r, v = a.retriever, a.verifier
    part = Part("Under GPL version 3, how many days may pass before the copyright holder must notify you?")
    gold = _span(r, "However, if you cease all violation")
    title = _span(r, "GNU GENERAL PUBLIC LICENSE\nVersion 3")
    gathered = a.gatherer.gather(part)
    body = "Under GPL version 3, the copyright holder must notify you prior to 60 days after the cessation."
    verdict = v.verify(part, gathered, Draft(f"{body} [1][2]", (title, gold)))
    assert [c.quote for c in verdict.citations] == [gold.text]  # the title only repeated "GPL version 3"


def test_a_documents_name_and_version_repeated_from_the_question_need_no_sentence():
    q = "Who holds the copyright on the GPL version 3?"
    a = "The copyright on the GPL version 3 is held by the FSF."
    assert supported(a, ["Copyright 2007 FSF."], q, naming="gpl 3 3.0")
    assert not supported(a, ["Copyright 2007 FSF."], q)
    assert not supported("The GPL version 4 is held by the FSF.", ["Copyright 2007 FSF."], q, naming="gpl 3")


def test_a_quoted_does_not_is_no_refusal():
    src = ["If the Program does not specify a version number of this License, you may choose any version."]
    assert not declines("If the Program does not specify a version number, you may choose any version.", src)
    assert declines("The documents do not say.", src)
    assert declines("The license does not mention medical devices.", src)


def test_title_block_questions(corpus):
    assert TITLE_ASK.search("What is the full name shown at the top of GPL version 2?")
    assert not TITLE_ASK.search("How long does the copyright holder have to notify you?")

    def reply(messages):
        line = next(x for x in messages[0]["content"].splitlines() if x.endswith("changing it is not allowed."))
        return f"No: changing the license document is not allowed. {line.split()[0]}"

    chat = FakeChat(reply)
    a = _answerer(corpus, backend=chat, llm="embedded")
    ans = a.answer("According to its opening lines, may I change the text of the GPLv3 licence document?")
    assert not ans.refused
    assert [c.quote for c in ans.citations] == [_span(a.retriever, "Copyright (C) 2007").text]


def test_a_title_block_question_whose_draft_fails_is_answered_from_the_block(corpus):
    a = _answerer(
        corpus, backend=FakeChat(lambda m: "The full name is Free Software Foundation, Inc. [1]"), llm="embedded"
    )
    ans = a.answer("What is the full name shown at the top of GPL version 2?")
    assert not ans.refused and ans.text.startswith("GNU GENERAL PUBLIC LICENSE Version 2, June 1991")
    assert [c.quote for c in ans.citations] == [_span(a.retriever, "GNU GENERAL PUBLIC LICENSE\nVersion 2").text]
    wrong = _answerer(corpus, backend=FakeChat(lambda m: "Yes, you may change it freely. [1]"), llm="embedded")
    ans = wrong.answer("According to its opening lines, may I change the text of the GPLv3 licence document?")
    assert "changing it is not allowed" in ans.text  # the block's sentence about changing, not its heading


def test_the_title_block_is_no_answer_to_a_question_about_the_body(corpus):
    a = _answerer(corpus)
    part = Part("When was the void sublicense attempt rule of GPL version 2 published?")
    gathered = a.gatherer.gather(part)
    assert any(a.retriever.in_title(e.span) for e in gathered.evidence[:2])  # retrieval puts the block first
    assert title_answer(part, gathered, a.retriever) is None  # asks "when ... published", but about the body
    full = Part("What is the full name shown at the top of GPL version 2?")
    top = a.gatherer.gather(full)
    assert title_answer(full, top, a.retriever) is not None  # it asks only for the block
    assert title_answer(Part("What may I sublicense under GPL version 2?"), top, a.retriever) is None  # no title ask


def test_a_reworded_comparison_is_confirmed_from_each_document(corpus):
    def reply(messages):
        text = " ".join(" ".join(m["content"].split()) for m in messages)
        return "Yes" if "after the cessation" in text and "come back into compliance" in text else "No"

    a = _answerer(corpus, backend=FakeChat(reply), llm="embedded")
    q = "After you stop violating, how many days does the licensor have to notify you before your rights are restored, under GPLv3 and under MPL 2.0?"
    part = Part(q)
    gathered = a.gatherer.gather(part)
    assert gathered.judgement.missing  # "restored" is not the documents' word: the answer must be confirmed
    mpl = _span(a.retriever, "Your rights are reinstated")
    draft = Draft("The licensor has 60 days to notify you before your rights are restored. [1]", (mpl,))
    verdict = a.verifier.verify(part, gathered, draft)
    assert isinstance(verdict, Accept)  # confirmed with a sentence of each document, not MPL's alone
    assert {c.source for c in verdict.citations} == {"docs/gpl-3.0.txt", "docs/mpl-2.0.txt"}


def test_a_document_crowded_out_of_the_ranking_is_searched_on_its_own(corpus, monkeypatch):
    import qa.answer.gather as gather

    a = _answerer(corpus, top_k=1)
    r = a.retriever
    mpl = r.within("When are your rights reinstated after termination?", "docs/mpl-2.0.txt")
    assert mpl and {h.chunk.source for h in mpl} == {"docs/mpl-2.0.txt"}
    assert "reinstated" in mpl[0].chunk.text  # its best chunk, not its first
    monkeypatch.setattr(gather, "WIDE", 1)  # the wide ranking holds one document's chunk only
    q = "How many days does the licensor have to notify you under GPLv3 and under MPL 2.0?"
    assert len({h.chunk.source for h in r.retrieve(q, 1)}) == 1
    gathered = a.gatherer.gather(Part(q))
    assert {e.span.source for e in gathered.evidence} == {"docs/gpl-3.0.txt", "docs/mpl-2.0.txt"}


def test_a_yes_cited_from_a_sentence_that_says_no_is_not_accepted(corpus):
    a = _answerer(corpus)
    part = Part("Under GPL version 2, may I sublicense the Program?")
    gold = _span(a.retriever, "You may not copy or sublicense the Program")
    gathered = a.gatherer.gather(part)
    yes = a.verifier.verify(part, gathered, Draft("Yes, you may sublicense the Program. [1]", (gold,)))
    assert not isinstance(yes, Accept)  # the cited sentence says "may not": the extract or a refusal instead
    no = a.verifier.verify(part, gathered, Draft("No, you may not sublicense the Program. [1]", (gold,)))
    assert isinstance(no, Accept) and no.citations[0].quote == gold.text


def test_an_answer_cited_only_from_another_document_than_the_one_named_is_not_accepted(corpus):
    a = _answerer(corpus)
    part = Part("Under the Mozilla Public License, how many days does one have to notify you?")
    gathered = a.gatherer.gather(part)
    gpl3 = _span(a.retriever, "However, if you cease all violation")
    mpl = _span(a.retriever, "Your rights are reinstated on an ongoing basis")
    other = a.verifier.verify(part, gathered, Draft("60 days. [1]", (gpl3,)))
    assert not (isinstance(other, Accept) and {c.source for c in other.citations} == {gpl3.source})
    own = a.verifier.verify(part, gathered, Draft("60 days. [1]", (mpl,)))
    assert isinstance(own, Accept) and {c.source for c in own.citations} == {mpl.source}


def test_a_date_question_is_not_answered_by_a_heading_without_a_date(corpus):
    a = _answerer(corpus)
    part = Part("On what date was the Mozilla Public License version 2.0 published?")
    gathered = a.gatherer.gather(part)
    heading = _span(a.retriever, "Mozilla Public License Version 2.0")
    verdict = a.verifier.verify(part, gathered, Draft("Mozilla Public License Version 2.0 [1]", (heading,)))
    assert not isinstance(verdict, Accept)
    assert title_answer(part, gathered, a.retriever) is None
    part = Part("On what date was GPL version 3 published?")
    block = title_answer(part, a.gatherer.gather(part), a.retriever)
    assert block is not None and "29 June 2007" in block.text


README = """<p align="center">
  <a href="https://typer.example"><img src="https://typer.example/logo.svg" alt="Typer"></a>
</p>
<p align="center">
    <em>Typer, build great CLIs. Easy to code.</em>
</p>

Typer is a library for building <abbr title="command line interface">CLI</abbr> applications.

## Install

Install it with pip and run your first script in a minute.
"""


def test_a_readme_with_html_is_read_as_its_text(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "typer-readme.md").write_text(README, encoding="utf-8")
    (tmp_path / "docs" / "gpl-2.0.txt").write_text(GPL2, encoding="utf-8")
    rootless = "Supporting rootless builds\n==========================\n\nBuilds may run without root.\n"
    (tmp_path / "docs" / "rootless.txt").write_text(rootless, encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=300, chunk_overlap=0, context_chars=200)
    index_documents(settings, [tmp_path / "docs"], embedder=(embedder := FakeEmbedder()))
    a = build_answerer(settings, embedder=embedder)
    r, part = a.retriever, Part("What is the tagline of the Typer README?")
    assert r.named("How do I build a CLI with Typer?") == {"docs/typer-readme.md"}  # "build": a word, no name
    assert r.named("What do the rootless builds need?") == {"docs/rootless.txt"}
    assert r.named("Does the Supporting document say more?") == {"docs/rootless.txt"}  # capitalised: a name
    block = [s for s in r.document_sentences("docs/typer-readme.md") if r.in_title(s)]
    assert block[0].text.startswith("<p align")  # the logo's HTML opens the title block
    gathered = replace(a.gatherer.gather(part), evidence=tuple(Evidence(s, 1.0, 1.0, 1.0) for s in block[:2]))
    ans = title_answer(part, gathered, r)
    assert ans is not None and ans.text.startswith("Typer, build great CLIs.") and "<" not in ans.text
    assert "<em>Typer, build great CLIs." in ans.citations[0].quote  # the span as written
    shown = a.generator.context(a.gatherer.gather(Part("What is Typer?")).evidence)
    assert "Typer is a library for building CLI applications." in render(shown)  # no tags for the model


def test_one_document_of_a_comparison_the_model_finds_nothing_in_is_read_by_the_extractive_checks(corpus):
    q = "After you stop violating the licence, when do GPLv3 and MPL 2.0 reinstate the rights you are getting?"
    a = _answerer(corpus, backend=FakeChat("NOT IN DOCUMENT"), llm="embedded")
    part = next(p for p in a.planner.plan(q).parts if p.document == "docs/mpl-2.0.txt")
    gathered = a.gatherer.gather(part)
    assert gathered.judgement.answerable and not gathered.judgement.missing  # "getting" is "get", no lacking word
    v = a.verifier.verify(part, gathered, Draft("NOT IN DOCUMENT", ()))
    assert type(v).__name__ == "Fallback"  # the sentences decide, not the model's "not found"
    x = a.extractor.extract(part, gathered)
    assert isinstance(x, Accept) and x.citations[0].quote.startswith("Your rights are reinstated on an ongoing basis")
    alone = replace(part, document="")  # asked of no one document of a comparison, the model's "not found" stands
    assert type(a.verifier.verify(alone, gathered, Draft("NOT IN DOCUMENT", ()))).__name__ == "Refuse"


def test_the_extractive_answer_prefers_the_definition_of_a_quoted_term(tmp_path: Path):
    text = (
        "Apache License\n\n1. Definitions.\n\n"
        'For the purposes of this definition, "control" means ownership of fifty percent (50%) or more of the '
        "outstanding shares of such entity.\n\n"
        '"Licensor" shall mean the copyright owner.\n\n'
        '"Legal Entity" shall mean the union of the acting entity and all other entities that control it.\n'
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "apache.txt").write_text(text, encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=300, chunk_overlap=0)
    embedder = FakeEmbedder()
    index_documents(settings, [tmp_path / "docs"], embedder=embedder)
    a = build_answerer(settings, embedder=embedder)
    part = Part("What does 'control' of the acting entity mean?")  # the "Legal Entity" line has more of its words
    x = a.extractor.extract(part, a.gatherer.gather(part))
    assert isinstance(x, Accept) and x.citations[0].quote.startswith("For the purposes of this definition"), x


def test_an_extractive_answer_reads_as_one_line_and_its_quote_keeps_the_wraps(corpus):
    a = _answerer(corpus)  # no model: the extractive answerer
    ans = a.answer("What happens to the license if you cease all violation of GPL version 3?")
    assert ans.method == "extractive" and ans.citations, ans
    quote = ans.citations[0].quote
    assert "\n" in quote and "\n" not in ans.text  # hard-wrapped in the document, one line in the answer
    assert " ".join(quote.split()) in ans.text


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("Which is older, GPL version 2 or GPL version 3?", "June 1991"),
        ("Which came out first, GPL version 3 or GPL version 2?", "June 1991"),
        ("Which is more recent, GPL version 2 or GPL version 3?", "29 June 2007"),
    ],
)
def test_which_of_two_documents_came_first_is_told_from_their_dates(corpus, question, first):
    a = _answerer(corpus, FakeChat("GPL version 3 is older. [1]"))  # the model is not asked
    ans = a.answer(question)
    assert ans.method == "extractive" and len(ans.citations) == 2, ans
    assert ans.text.index(first) < ans.text.index(" than "), ans.text
    assert {c.source for c in ans.citations} == {"docs/gpl-2.0.txt", "docs/gpl-3.0.txt"}


def test_an_order_question_about_an_undated_document_is_not_told_from_dates(corpus):
    ans = _answerer(corpus).answer("Which is older, GPL version 2 or the MPL?")
    assert " is older than " not in ans.text


def test_a_date_asked_after_which_came_first_joins_that_ask(corpus):
    a = _answerer(corpus, FakeChat("GPL version 3 is older. [1]"))
    q = "Which is older, GPL version 2 or GPL version 3, and what date does each carry?"
    assert [p.text for p in a.planner.plan(q).parts] == [q]  # one ask: the order is told by the dates
    ans = a.answer(q)
    assert ans.method == "extractive" and len(ans.citations) == 2, ans
    assert "June 1991" in ans.text and "29 June 2007" in ans.text


def test_a_later_ask_about_each_named_document_is_asked_of_each(corpus):
    plan = _answerer(corpus).planner.plan(
        "Do GPLv3 and the MPL 2.0 mention termination, and how long is the cure in each?"
    )
    assert [(p.document, p.text) for p in plan.parts][1:] == [
        ("docs/gpl-3.0.txt", "how long is the cure in each?"),
        ("docs/mpl-2.0.txt", "how long is the cure in each?"),
    ]
    plan = _answerer(corpus).planner.plan("Do GPLv3 and the MPL 2.0 mention termination, and who steers the MPL?")
    assert [p.document for p in plan.parts] == ["", ""]  # names its own document: as asked


TYPER = """<p align="center">
  <a href="https://typer.example.org"><img src="https://typer.example.org/logo.svg" alt="Typer"></a>
</p>
<p align="center">
    <em>Typer, build great CLIs. Easy to code. Based on Python type hints.</em>
</p>

## Installation

Install Typer with pip. It needs Python 3.8 or newer.
"""


def test_a_tagline_is_answered_with_its_whole_line(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "typer-readme.md").write_text(TYPER, encoding="utf-8")
    (tmp_path / "docs" / "gpl-2.0.txt").write_text(GPL2, encoding="utf-8")
    settings = Settings(root=tmp_path, llm="extractive", chunk_size=300, chunk_overlap=0, context_chars=400)
    index_documents(settings, [tmp_path / "docs"], embedder=FakeEmbedder())
    a = build_answerer(settings, embedder=FakeEmbedder(), backend=None)
    part = Part("What is the tagline of the Typer README?")
    found = title_answer(part, a.gatherer.gather(part), a.retriever)
    assert found is not None and len(found.citations) == 3, found
    assert found.text.startswith("Typer, build great CLIs. Easy to code. Based on Python type hints.")
    gpl = Part("What is the full name at the top of GPL version 2?")  # one sentence on its lines: alone
    assert len(title_answer(gpl, a.gatherer.gather(gpl), a.retriever).citations) == 1
