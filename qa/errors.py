"""Errors the user can act on. Each message names the bad value and says what to do."""

from __future__ import annotations


class QAError(Exception):
    """Base class: a problem the user can fix. ``str(err)`` is a one-line message."""

    exit_code = 1


class BadQuestion(QAError):
    """The question is empty, whitespace or too long."""

    exit_code = 2


class UsageError(QAError):
    """A command-line value or a ``QA_*`` setting is wrong; the message names it and what it takes."""

    exit_code = 2


class DocumentError(QAError):
    """A document could not be read or decoded."""


class NothingIndexed(DocumentError):
    """No document could be indexed (no files, or every one failed); the index was left unchanged.

    ``problems`` lists what was wrong with each file, one line each.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class IndexMissing(QAError):
    """There is no index yet, or it holds no documents."""


class IndexCorrupt(QAError):
    """The index exists but cannot be read."""


class ModelError(QAError):
    """A model file is missing, incomplete or fails its checksum."""


class LLMUnavailable(QAError):
    """The language model did not answer: timeout, refused connection, server error."""

    exit_code = 3


class Overloaded(LLMUnavailable):
    """More requests wait for the model than allowed; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EvalFileError(QAError):
    """An eval set file is malformed; the message names file, line and field."""


def check_question(question: object, max_chars: int) -> str:
    """Return the stripped question, or raise BadQuestion saying what is wrong.

    >>> check_question("  How many? ", 2000)
    'How many?'
    """
    if not isinstance(question, str):
        raise BadQuestion(f"question must be a string, got {type(question).__name__}")
    text = question.strip()
    if not text:
        raise BadQuestion("question is empty: type a question about the documents")
    if len(text) > max_chars:
        raise BadQuestion(f"question is {len(text)} characters, over the limit of {max_chars}: shorten it")
    return text
