"""Structure: headings, section paths, titles, hard-wrapped sentences and clauses."""

from pathlib import Path

import pytest

from qa.documents import Document, sentences
from qa.structure import name_terms, name_words, outline

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "evals" / "docs"
LICENSES = Path("/usr/share/common-licenses")


def _doc(path: Path) -> Document:
    return Document(path.name, path.read_text(encoding="utf-8"))


def _by_text(doc: Document) -> dict[str, object]:
    return {" ".join(s.text.split()): s for s in sentences(doc)}


def _check_offsets(doc: Document) -> None:
    spans = sentences(doc)
    for s in spans:
        assert s.text == doc.text[s.start : s.end]
        assert s.text and s.text == s.text.strip()
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


MARKDOWN = """# Widget Guide

Intro text here.

## Install

Run the
installer. Then stop.

Usage
-----

1. Open it.
2. Close it.

### Limits

- one item
- another item
"""


def test_markdown_headings_and_paths():
    doc = Document("docs/widget.md", MARKDOWN)
    s = _by_text(doc)
    assert s["Intro text here."].title == "Widget Guide"
    assert s["Intro text here."].section == ()
    assert s["Run the installer."].section == ("Install",)  # a hard wrap is not a sentence end
    assert s["Then stop."].section == ("Install",)
    assert s["Usage"].section == ("Usage",)  # setext heading, underline not in the span
    assert s["1. Open it."].section == ("Usage",)  # Markdown numbered lines are a list, not sections
    assert s["2. Close it."].section == ("Usage",)
    assert s["- one item"].section == ("Usage", "Limits")
    assert "- another item" in s  # each list item is its own span
    _check_offsets(doc)


PLAIN = """                 FOO LICENSE
              Version 2, 3 May 2001

 Copyright notice goes
 here.

TERMS AND CONDITIONS

  1. Definitions.

  "Work" means the
thing licensed, including (a) code and
(b) text, unless excluded.

  2. Grants. You may copy the
  Work; and you may share it.

    a) You must keep
    notices.

    b) You must say what changed.

Section 3. Warranty

  There is none.
"""


def test_plain_text_numbered_sections_titles_and_clauses():
    doc = Document("foo.txt", PLAIN)
    s = _by_text(doc)
    title = s["FOO LICENSE Version 2, 3 May 2001"]  # the title heading with its version line
    assert title.title == "FOO LICENSE Version 2, 3 May 2001" and title.section == ()
    assert s["Copyright notice goes here."].section == ()
    work = s['"Work" means the thing licensed, including (a) code and (b) text, unless excluded.']
    assert work.section == ("TERMS AND CONDITIONS", "1. Definitions.")  # inline clauses stay in the sentence
    assert s["2. Grants."].section == ("TERMS AND CONDITIONS", "2. Grants.")
    assert s["You may copy the Work; and you may share it."].section == ("TERMS AND CONDITIONS", "2. Grants.")
    assert s["a) You must keep notices."].section == ("TERMS AND CONDITIONS", "2. Grants.", "a)")
    assert s["b) You must say what changed."].section[-1] == "b)"  # separate paragraphs: separate clauses
    assert s["There is none."].section == ("TERMS AND CONDITIONS", "Section 3. Warranty")
    _check_offsets(doc)


def test_title_falls_back_to_metadata_then_file_name():
    text = "Plain paragraph that is long enough to be text, not a heading of any kind at all."
    assert sentences(Document("notes/river-report.txt", text))[0].title == "river report"
    assert sentences(Document("x/a.txt", text, {"title": "The River"}))[0].title == "The River"
    assert sentences(Document("seeds/000_c28c5033849fa43c.txt", text))[0].title == ""  # a hash names nothing


def test_heading_line_is_not_glued_to_a_paragraph():
    doc = Document("a.txt", "Overview\n\nThe plan has two parts. It ends in May.\n")
    texts = [s.text for s in sentences(doc)]
    assert texts == ["Overview", "The plan has two parts.", "It ends in May."]
    assert sentences(doc)[1].section == ()  # the first heading is the title, not a section
    assert sentences(doc)[1].title == "Overview"


def test_real_gpl3_structure():
    doc = _doc(DOCS / "gpl-3.0.txt")
    s = _by_text(doc)
    first = sentences(doc)[0]
    assert first.text.split() == ["GNU", "GENERAL", "PUBLIC", "LICENSE", "Version", "3,", "29", "June", "2007"]
    assert first.title == "GNU GENERAL PUBLIC LICENSE Version 3, 29 June 2007"
    basic = s["This License explicitly affirms your unlimited permission to run the unmodified Program."]
    assert basic.section == ("TERMS AND CONDITIONS", "2. Basic Permissions.")
    assert s["8. Termination."].section[-1] == "8. Termination."
    wrapped = "You may not propagate or modify a covered work except as expressly provided under this License."
    assert wrapped in s  # one sentence over two lines
    assert not any("\n\n" in x.text for x in sentences(doc))  # no sentence crosses a paragraph break
    _check_offsets(doc)


def test_real_apache_and_mpl_sections():
    apache = _by_text(_doc(DOCS / "apache-2.0.txt"))
    assert apache["7. Disclaimer of Warranty."].section[-1] == "7. Disclaimer of Warranty."
    clause = next(s for t, s in apache.items() if t.startswith("(b) You must cause any modified files"))
    assert clause.section[-2:] == ("4. Redistribution.", "(b)")
    mpl = _by_text(_doc(DOCS / "mpl-2.0.txt"))
    means = next(s for t, s in mpl.items() if t.startswith('1.1. "Contributor" means each individual or legal'))
    assert means.section == ("1. Definitions", '1.1. "Contributor"')
    assert means.title == "Mozilla Public License Version 2.0"


@pytest.mark.parametrize("name", ["GPL-2", "GPL-3", "LGPL-2.1", "Apache-2.0", "MPL-2.0"])
def test_system_licences_keep_exact_offsets(name):
    path = LICENSES / name
    if not path.exists():
        pytest.skip(f"{path} not on this machine")
    doc = _doc(path)
    _check_offsets(doc)
    assert outline(doc).title
    assert sum(bool(s.section) for s in sentences(doc)) > len(sentences(doc)) // 2


def test_offsets_hold_for_any_text():
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies
    pieces = st.sampled_from(
        ["# ", "## ", "Title", "WORD", " ", "  ", "\n", "\n\n", "1. ", "1.1. ", "(a) ", "b) ", "- ", "===",
         "---", "```", "Mr. ", "e.g. ", "end.", "? ", "!", "“q”", "…", "Section 2", "\t", "x", "\r\n", "v2.0"]
    )  # fmt: skip

    @hyp.settings(max_examples=300, deadline=None)
    @hyp.given(st.lists(pieces, max_size=40), st.sampled_from(["a.txt", "b.md"]))
    def check(parts, source):
        _check_offsets(Document(source, "".join(parts)))

    check()


def test_names_of_documents():
    words, numbers = name_terms("GNU GENERAL PUBLIC LICENSE Version 3, 29 June 2007", "evals/docs/gpl-3.0.txt")
    assert {"gnu", "gpl", "public"} <= words and {"3", "3.0"} <= numbers
    assert "29" not in numbers and "2007" not in numbers  # a date is not a version
    assert {"gpl", "3"} <= name_words("What does GPLv3 say?")
    assert "license" in name_words("the Apache licence")


def test_a_paragraph_boxed_in_asterisks_reads_as_a_paragraph():
    from qa.context import readable
    from qa.documents import Document
    from qa.structure import sentences

    box = (
        "Terms\n\n1. Use.\n\nYou may use it.\n\n"
        + "*" * 40 + "\n*" + " " * 38 + "*\n"
        + "*  2. Limitation of Liability          *\n"
        + "*  ----------------------------        *\n*" + " " * 38 + "*\n"
        + "*  This limitation shall not apply to  *\n"
        + "*  death or personal injury. Some      *\n"
        + "*  places forbid it.                   *\n"
        + "*" * 40 + "\n"
    )  # fmt: skip
    spans = sentences(Document("box.txt", box))
    said = [(readable(s.text), s.section) for s in spans]
    assert ("This limitation shall not apply to death or personal injury.", ("2. Limitation of Liability",)) in said
    assert ("Some places forbid it.", ("2. Limitation of Liability",)) in said
    assert all(readable(s.text).strip("* ") for s in spans)  # no sentence that is only the box's edge
    assert all(box[s.start : s.end] == s.text for s in spans)  # offsets stay on the raw text


def test_html_lines_of_a_readme_are_not_glued_to_its_sentences():
    text = (
        '<p align="center">\n  <a href="https://x.org"><img src="logo.svg" alt="Typer"></a>\n</p>\n'
        '<p align="center">\n    <em>Typer, build great CLIs. Easy to code.</em>\n</p>\n'
        "Works on Python 3. It has no other dependency.\n"
    )
    doc = Document("typer.md", text)
    texts = [s.text for s in sentences(doc)]
    assert "<em>Typer, build great CLIs." in texts and "Easy to code.</em>" in texts
    assert "Works on Python 3." in texts and "It has no other dependency." in texts  # "3." is no initial
    assert not any("</p>" in t and "Easy" in t for t in texts)
    _check_offsets(doc)


def test_a_bracketed_aside_closing_a_list_item_stays_with_it():
    text = (
        "# Dependencies\n\n"
        "* `rich` - Rich terminal support. *(Optional, with `httpx[cli]`)*\n"
        "* `click` - Command line client support. *(Optional, with `httpx[cli]`)*\n\n"
        "Fixed a bug. (#2673)\n\n"
        "Enclose it in quotes.\n(Don't include the brackets!)\n"
    )
    got = [s.text for s in sentences(Document("a.md", text))]
    assert "* `rich` - Rich terminal support. *(Optional, with `httpx[cli]`)*" in got
    assert "* `click` - Command line client support. *(Optional, with `httpx[cli]`)*" in got
    assert "Fixed a bug. (#2673)" in got
    assert "(Don't include the brackets!)" in got  # a sentence of its own, on its own line
