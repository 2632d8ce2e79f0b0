"""Documents and their parts: words about documents and sections, markup that is not prose."""

from __future__ import annotations

import re

# ---- documents and their parts (issue 7, the docs engineer's block) ----------------------------
# Words that refer to the documents themselves or to their parts ("the README", "this story", "in the folder",
# "section 4", "the heading", "issued"), or only set two things side by side ("versus"): missing from the
# documents' text, they do not make a question unanswerable.
DOCUMENT_WORDS = """document documents file files folder directory readme text texts page pages section sections
heading headings header headers clause clauses chapter chapters paragraph paragraphs article articles subsection
story stories piece passage excerpt
version versions edition revision issued versus vs""".split()  # noqa: SIM905
# What a question about a whole document asks when it asks nothing else ("What is Typer?", "What is
# HTTPX used for?", "Tell me about Rich"): the document's own description of its subject.
DESCRIBE_WORDS = """what who is are was about tell describe description overview explain purpose use used for good
do does library package project tool software program module framework thing""".split()  # noqa: SIM905
# A sentence that describes a subject: "<name> is a …", "<name> are the …".
DESCRIBES = re.compile(r"\b(?:is|are)\s+(?:a|an|the|one)\b", re.I)
# What a question about a numbered section asks when it asks nothing else: its heading.
# A line of the text points at where to read, as a heading does ("the copyright line at the top").
SECTION_TOPIC_WORDS = """title titled heading headed called named name cover covers covered say says said deal deals
about concern concerns subject topic line lines""".split()  # noqa: SIM905
# A question about a numbered section that asks what it says, not only what it is called ("What
# does section 8 cover?"): its heading and its first sentence answer it.
ASKS_SECTION_CONTENT = re.compile(
    r"\b(?:covers?|covered|say|says|said|deals?|dealt|about|concerns?|contains?|describes?|explains?)\b", re.I
)
ASKS_SECTION_TITLE = re.compile(r"\b(?:title|titled|heading|headed|called|named|name)\b", re.I)
# The question asks which section (or heading) holds something: the answer is a section path.
ASKS_WHICH_SECTION = re.compile(
    r"\b(?:which|what)\s+(?:numbered\s+|top-level\s+|main\s+)?(?:section|heading|chapter|clause|part|article|paragraph)\b"
    r"|\bunder\s+(?:which|what)\s+(?:heading|section|title)\b",
    re.I,
)
# A version the question names ("version 1.0 of the Apache License", "mmh3 6.0.0"): a figure after a
# version word, or one written with two dots. Documents that never write it do not have that version.
VERSION_NAMED = re.compile(r"\b(?:version|release|edition|revision|v)\s*(\d+(?:\.\d+)*)\b|\b(\d+\.\d+\.\d+)\b", re.I)
# Words that say what kind of answer is asked for ("the date", "what position"), and light verbs
# ("hold", "have"): a sentence that answers need not repeat them.
ANSWER_TYPE_WORDS = """date year time day month number amount name title kind type position role job post office
hold holds held have has get give make take do""".split()  # noqa: SIM905
# Text that is not prose: links, Markdown link targets, images and reference definitions.
# An image's label ("![Downloads]") is no prose either.
# An HTML tag, as Markdown READMEs use for logos, badges and centred taglines: "<p align="center">",
# "<em>", "</abbr>" (its attributes are no prose; the text between tags is). Only HTML's own tag
# names: a licence's "<signature of Ty Coon>" or "<program>" is text.
_HTML_TAG = (
    r"</?(?:a|abbr|b|blockquote|br|center|code|dd|del|details|div|dl|dt|em|h[1-6]|hr|i|img|ins|kbd|li|ol|p|"
    r"picture|pre|s|small|source|span|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|tr|u|ul|video)"
    r"(?:\s+[^<>]*?)?\s*/?>"
)
HTML_TAG = re.compile(_HTML_TAG, re.I)
MARKUP = re.compile(rf"!\[[^\]\n]*\]|https?://\S+|\]\([^)]*\)|!\[|^\s*\[[^\]]*\]:|(?i:{_HTML_TAG})", re.M)
# A Markdown link or image, "[text](target)": a reader (and the model) needs its text only.
MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*<?[^\s()<>]*(?:\([^\s()]*\))?[^\s()<>]*>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
# A term the question quotes ("Object code", 'Corresponding Source'), usually to ask what it means.
QUOTED_TERM = re.compile(r"[\"“‘']([^\"“”‘’']{2,40}?)[\"”’'](?!\w)")
# A bracketed aside with no sentence end inside, as a list item closes on ("*(Optional, with
# `httpx[cli]`)*", "(#2673)"): it belongs to the sentence before it on its line, not one of its own.
ASIDE = re.compile(r"[*_]*\([^.!?()\n]*\)[*_]*[.,;]?")
# Markdown link reference definitions ("[5.3.1]: https://..."), one or more lines: a renderer hides them, so they are no evidence.
LINK_DEFINITIONS = re.compile(r"(?:\s*\[[^\]\n]+\]:[ \t]*\S+(?:[ \t]+[\"'(][^\n]*[\"')])?[ \t]*)+\s*")
# HTML tags and Markdown emphasis marks (`code`, **bold**, __bold__): a line shown as a title drops them.
TAGS_AND_EMPHASIS = re.compile(r"<[^>]*>|[`*_]{1,2}(?=\S)|(?<=\S)[`*_]{1,2}")
