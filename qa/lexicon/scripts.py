"""Writing systems: which script a question is written in, and the language it most likely is.
They name no words, so they serve every language.
"""

from __future__ import annotations

import re

# Writing systems, for "the question is in another language than the documents".
SCRIPTS = {
    "latin": re.compile(r"[A-Za-z\u00C0-\u024F]"),
    "cyrillic": re.compile(r"[\u0400-\u04FF]"),
    "greek": re.compile(r"[\u0370-\u03FF]"),
    "arabic": re.compile(r"[\u0600-\u06FF]"),
    "hebrew": re.compile(r"[\u0590-\u05FF]"),
    "devanagari": re.compile(r"[\u0900-\u097F]"),
    "han": re.compile(r"[\u4E00-\u9FFF\u3040-\u30FF]"),
    "hangul": re.compile(r"[\uAC00-\uD7AF]"),
}
# The language a question in that script is most likely in (the model is told to answer in it).
SCRIPT_LANGUAGE = {"latin": "English", "cyrillic": "Russian", "greek": "Greek", "arabic": "Arabic",
                   "hebrew": "Hebrew", "devanagari": "Hindi", "han": "Chinese", "hangul": "Korean"}  # fmt: skip
