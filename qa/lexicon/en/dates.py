"""How English writes years, months and dates.

>>> DATE_WRITTEN.search("Version 3, 29 June 2007").group(2, 4)
('June', '2007')
>>> bool(DATE_ISO.search("## [5.3.0] - 2026-08-26"))
True
"""

from __future__ import annotations

import re

MONTHS = set("""january february march april may june july august september october november december""".split())  # noqa: SIM905
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
YEAR_RANGE = re.compile(r"\b(1[89]\d\d|20\d\d)\s*(?:-|–|—|to|through|until)\s*(1[89]\d\d|20\d\d)\b", re.I)
# A date written with its month's name: "29 June 2007", "June 1991", "May 3, 2001" (groups: day,
# month name, day, year); the month name is checked against the calendar by the reader.
DATE_WRITTEN = re.compile(r"\b(?:(\d{1,2})\s+)?([A-Z][a-z]+)\.?\s+(?:(\d{1,2}),?\s+)?((?:1[89]|20)\d\d)\b")
# An ISO date, as changelogs write a release's: "2026-08-26" (groups: year, month, day).
DATE_ISO = re.compile(r"\b((?:1[89]|20)\d\d)-(\d\d)-(\d\d)\b")
