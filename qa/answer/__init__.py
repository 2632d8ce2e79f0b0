"""The answer chain, in stages: plan -> gather -> generate -> verify -> compose.

``Answerer`` drives them; each stage lives in its own module and can be driven alone.
"""

from .chain import Answerer
from .compose import Translator, compose
from .extract import Extractor
from .gather import Gatherer
from .generate import Generator
from .plan import Planner
from .types import REFUSAL, Accept, Answer, Draft, Fallback, Gathered, Part, Plan, Refuse, Verdict
from .verify import Verifier

__all__ = ["REFUSAL", "Accept", "Answer", "Answerer", "Draft", "Extractor", "Fallback", "Gathered", "Gatherer",
           "Generator", "Part", "Plan", "Planner", "Refuse", "Translator", "Verdict", "Verifier", "compose"]  # fmt: skip
