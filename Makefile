# Two commands do all the set-up: `make run` and `make test` (see README.md).
# Each creates .venv and installs what is missing; an up-to-date .venv costs nothing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# -qq: pip's local-index warnings would drown the output; errors still show.
PIP    := $(BIN)/python -m pip -qq --disable-pip-version-check

.PHONY: install run test test-fast bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing checker and its pinned dependencies into $(VENV) (first time: a few minutes)"
	@# torch alone first, exact: anything looser pulls the multi-gigabyte CUDA build.
	$(PIP) install torch==2.13.0
	$(PIP) install -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/checker ingest corpus/
	$(BIN)/checker articles
	$(BIN)/checker search "Russian forces have withdrawn from Kyiv" -k 3
	@echo "No LLM comparison yet: set OPENAI_API_KEY, or CHECKER_BASE_URL for an OpenAI-compatible server, once 'checker compare' lands."

test: $(STAMP)
	$(BIN)/python -m pytest

# Unit tests only: no embedding model, no servers.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not live"

bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf .checker .pytest_cache bench/.work
