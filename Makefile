# Two commands set everything up: `make run` (the site with demo data) and
# `make test` (the whole suite). Both create .venv and install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Settings for the test suite: production-like (DEBUG off) over plain HTTP.
TEST_ENV := DJANGO_SECRET_KEY=insecure-key-for-the-test-suite-only \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver DJANGO_HTTPS=0 DJANGO_DEBUG=0 DJANGO_STATIC_FINDERS=1

.PHONY: install run test lint demo clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

demo: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_gazetteer
	DJANGO_DEBUG=1 $(PY) manage.py load_demo

run: demo
	@echo "Benchwatch is at http://$(HOST):$(PORT)/"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-output
