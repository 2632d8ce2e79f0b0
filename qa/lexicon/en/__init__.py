"""English: the words and patterns the answer chain reads English questions, answers and documents
with, one module per topic (``words``, ``questions``, ``figures``, ``dates``, ``documents``)."""

from qa.lexicon.en.dates import *  # noqa: F403
from qa.lexicon.en.documents import *  # noqa: F403
from qa.lexicon.en.figures import *  # noqa: F403
from qa.lexicon.en.questions import *  # noqa: F403
from qa.lexicon.en.words import *  # noqa: F403
