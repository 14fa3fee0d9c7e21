# One-liners over the `earshot` command (see `earshot --help`). `make run` and `make test` set up
# a fresh machine first (infra/bootstrap.sh is idempotent and quick when nothing changed).
EARSHOT := .venv/bin/earshot

.PHONY: setup run test up down status demo lint bench lock

setup:
	@bash infra/bootstrap.sh

run: setup
	$(EARSHOT) run

test:
	@bash infra/bootstrap.sh --browser && $(EARSHOT) test

up: setup
	$(EARSHOT) stack up

down:
	$(EARSHOT) stack down

status:
	$(EARSHOT) stack status

demo: setup
	$(EARSHOT) demo

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench: setup
	.venv/bin/python -m bench

lock:
	.venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o constraints.txt --no-header
