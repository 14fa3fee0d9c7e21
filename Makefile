# One-liners over the `earshot` command (see `earshot --help`). `make run` and `make test` set up
# a fresh machine first (infra/bootstrap.sh is idempotent and quick when nothing changed).
EARSHOT := .venv/bin/earshot

.PHONY: setup run test test-unit up down status demo lint bench lock

setup:
	@bash infra/bootstrap.sh

run: setup
	$(EARSHOT) run

# Against a real MongoDB instead of the local FerretDB: `make test MONGO_URI=mongodb://host:27017/`
# (make hands command-line variables to the recipe's environment; docs/mongodb.md).
test:
	@bash infra/bootstrap.sh --browser && $(EARSHOT) test

# The unit suite: pure logic, no services, well under a minute.
test-unit: setup
	.venv/bin/python -m pytest -m "not integration and not contract" -q

up: setup
	$(EARSHOT) stack up

down:
	$(EARSHOT) stack down

status:
	$(EARSHOT) stack status

demo: setup
	$(EARSHOT) demo

# ruff, ruff-format and mypy, as the pre-commit hook runs them (`.venv/bin/pre-commit install` once).
lint: setup
	.venv/bin/pre-commit run --all-files

bench: setup
	.venv/bin/python -m bench

lock:
	.venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o constraints.txt --no-header
