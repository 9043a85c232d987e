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

# Extraction is scored on a database of its own, so the demo site's data is untouched.
EVAL_ENV := DJANGO_DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/eval.sqlite3
SHARED ?= ../shared

.PHONY: install run test security lint demo eval bench messages clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

demo: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_gazetteer
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py rescore

run: demo
	@echo "Benchwatch is at http://$(HOST):$(PORT)/"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
		chromium fonts-dejavu-core fonts-liberation

# The load tests drive gunicorn with Debian's wrk.
WRK := /usr/bin/wrk

$(WRK):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends wrk

test: install $(CHROMIUM) $(WRK) security
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# Security checks, run by `make test`: bandit over the code (settings in
# pyproject.toml) and pip-audit over every installed package. pip-audit looks
# each package up in PyPI's advisory data; one it cannot look up is listed in
# test-output/pip-audit.txt and does not fail the run, a known vulnerability does.
security: install
	$(PY) -m bandit -q -c pyproject.toml -r rumours portal
	@mkdir -p test-output
	$(PY) -m pip_audit --progress-spinner off --output test-output/pip-audit.txt
	@echo "pip-audit: no known vulnerabilities; $$(grep -c 'could not be audited' test-output/pip-audit.txt || true) packages could not be looked up (test-output/pip-audit.txt)"

eval: install
	@$(EVAL_ENV) $(PY) manage.py migrate --noinput -v0
	@$(EVAL_ENV) $(PY) manage.py load_gazetteer > /dev/null
	@$(EVAL_ENV) $(PY) manage.py extract --input $(SHARED)/corpus/dev.jsonl --output pred-dev.jsonl
	@echo "== dev corpus ($(SHARED)/corpus/dev.jsonl) =="
	@$(PY) $(SHARED)/eval/score.py $(SHARED)/corpus/dev.jsonl pred-dev.jsonl
	@$(EVAL_ENV) $(PY) manage.py extract --input rumours/demo/articles.jsonl --output pred-demo.jsonl
	@echo "== demo snapshot (rumours/demo/articles.jsonl) =="
	@$(PY) $(SHARED)/eval/score.py rumours/demo/articles.jsonl pred-demo.jsonl

# Benchmarks run on the real services, as production does: PostgreSQL and Redis
# (started by .ci/services if they are installed but stopped), in databases of their own,
# with production settings (DEBUG off) over plain HTTP. `manage.py bench` generates the
# data set of issue 8 once (a few minutes), then measures; BENCH_ARGS='--scale 0.1' or
# '--skip-load' for a quicker run. It writes BENCHMARKS.md.
BENCH_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=insecure-key-for-benchmarks-only \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_HTTPS=0 DJANGO_STATIC_FINDERS=1 \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchwatch_bench \
	REDIS_URL=redis://127.0.0.1:6379/14 BENCHWATCH_CACHE_PREFIX=bench

bench: install $(WRK)
	@.ci/services benchwatch_bench
	@$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	@$(BENCH_ENV) $(PY) manage.py load_gazetteer > /dev/null
	@$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)
	@$(BENCH_ENV) $(PY) -m celery -A portal purge -f > /dev/null

messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l it --add-location file \
		-i "staticfiles/*" -i "test-output/*" -i "rumours/tests/*" -i ".venv/*"
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l it -i .venv -i staticfiles

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 eval.sqlite3 pred-*.jsonl staticfiles test-output
