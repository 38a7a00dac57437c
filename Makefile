# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test lint bench calibrate browser fuzz docs

# What `make run` needs: askalign itself, no reader (it stays an opt-in extra).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned, so that pip takes the CPU build that lies on this machine
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# What `make test` adds: the test tools and every extra, the reader's included, so CI
# still runs its tests. llama.cpp compiles from source: its multimodal tools are left out.
$(TEST_STAMP): $(STAMP)
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/pip install --quiet -e '.[dev]'
	touch $(TEST_STAMP)

# The ONNX export of the model, once per model version (a no-op when it is cached).
setup: $(STAMP)
	$(BIN)/askalign model export

# Exit 1 from ingest means some files were refused (it names them): serve the rest.
run: setup
	$(BIN)/askalign ingest || [ $$? -eq 1 ]
	$(BIN)/askalign serve

QUESTIONS ?= ../shared/eval/questions.jsonl

bench: setup $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/askalign ingest
	$(BIN)/askalign bench ingest
	$(BIN)/askalign bench retrieval --questions tests/data/paraphrase_questions.jsonl
	$(BIN)/askalign bench retrieval --questions $(QUESTIONS)
	$(BIN)/askalign eval --questions tests/data/paraphrase_questions.jsonl \
	  --grades benchmarks/grades_paraphrase.jsonl
	$(BIN)/askalign eval --questions $(QUESTIONS)

# The long fuzz campaign: 10^4 generated corpora and questions per target, with counts.
FUZZ_EXAMPLES ?= 10000
fuzz: setup $(TEST_STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider tests/test_fuzz.py tests/test_fuzz_names.py tests/test_fuzz_llm.py \
	  --hypothesis-show-statistics

# Refit the abstention model (src/askalign/answer/answerability.json) on our own questions.
calibrate: setup $(TEST_STAMP)
	$(BIN)/askalign ingest
	$(BIN)/python benchmarks/calibrate_abstention.py

# The browser tests drive Debian's Chromium; nothing downloads a browser of its own.
browser:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
	  echo "chromium is missing: install Debian's chromium package to run the browser tests"

# Independent tests run on every core (pytest-xdist); set PYTEST_WORKERS=0 for one process.
PYTEST_WORKERS ?= auto
test: setup $(TEST_STAMP) browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope

lint: setup $(TEST_STAMP)
	$(BIN)/ruff check src tests ui benchmarks
	$(BIN)/ruff format --check src tests ui benchmarks

# The documentation site, built into the web package (served at /docs/); --strict fails
# on a broken link or a missing page.
docs: $(STAMP)
	$(BIN)/pip install --quiet -e '.[docs]'
	$(BIN)/mkdocs build --strict
