# Two commands on a fresh Debian machine:
#   make demo   serve the app with demo data on SQLite (tasks run in-process)
#   make test   run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Debian packages the app needs at run time (PDF with Chinese fonts) and for tests.
APT_RUNTIME := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
APT_TEST    := poppler-utils chromium

.PHONY: demo test lint system-deps system-deps-test clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet ".[dev]"
	touch $@

system-deps:
	@bash .ci/apt-ensure $(APT_RUNTIME)

system-deps-test: system-deps
	@bash .ci/apt-ensure $(APT_TEST)

demo: system-deps $(VENV)/.installed
	mkdir -p var
	DEMO=1 $(PY) manage.py migrate --noinput
	DEMO=1 $(PY) manage.py seed_demo | tee var/demo-accounts.tsv
	@echo "演示账号见上（角色 用户名 密码 组织）。服务地址: http://$(HOST):$(PORT)/"
	DEMO=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: system-deps-test $(VENV)/.installed
	$(VENV)/bin/ruff check .
	TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var
