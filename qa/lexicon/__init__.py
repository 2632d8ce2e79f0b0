"""Word lists and patterns the answer chain reads questions and answers with, in one place.

Every word list and regex the chain decides by lives here, each with a one-line reason:

- ``scripts.py``: writing systems (no words; every language shares it);
- ``en/``: English, one module per topic: ``words`` (generic words, names, lists, openers, text
  that addresses the assistant, WordNet's rules), ``questions`` (what a question asks, where it
  splits), ``figures`` (numbers, money, bounds, calculations asked), ``dates``, ``documents``
  (words about documents and sections, markup).

The documents are English today, so ``en`` is what this package exports. A second documents'
language gets its own folder beside ``en/`` (``ru/``, say) with the same modules and names, and
this file chooses between them; questions in another language are translated into the documents'
language first (``answer/plan.py``), so the lexicon follows the documents, not the question.

>>> bool(ASKS_ARITHMETIC.search("How much did not come from the national budget?"))
True
>>> bool(ASKS_ARITHMETIC.search("How many more projects operate than are being built?"))
True
>>> [bool(ASKS_RATIO.search(q)) for q in ("How many times as many operate as stand idle?",
...  "How many times did the Cabinet meet?", "What is the ratio of A to B?")]
[True, False, True]
>>> [bool(ASKS_ARITHMETIC.search(q)) for q in ("What is the total for 2019 and 2024?",
...  "By how much do working projects exceed idle ones?", "Excluding the budget, how much?", "Who spoke?")]
[True, True, True, False]
>>> NEGATION.search("Apart from those operating, how many projects are there?").group(2)
' those operating'
>>> bool(SCRIPTS["cyrillic"].search("Сколько проектов?"))
True
>>> PART_BREAK.split("How many are there, how many operate, and how much was spent?")
['How many are there', 'how many operate', 'how much was spent?']
"""

from qa.lexicon.en import *  # noqa: F403
from qa.lexicon.scripts import *  # noqa: F403
