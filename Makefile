# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= indexes/default
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install index serve clean

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

clean:
	rm -rf $(VENV) indexes/*/
