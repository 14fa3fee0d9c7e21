#!/usr/bin/env bash
# Set-up for a fresh machine: system tools (Java, Maven; Chromium with --browser), the project's
# virtualenv (.venv) with the locked dependencies (constraints.txt), installed with uv.
# Idempotent and fast when nothing changed. Usage: bash infra/bootstrap.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

say() { printf '\033[1m[earshot setup]\033[0m %s\n' "$*" >&2; }

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing $* with apt-get"
    if [ ! -f /tmp/.earshot-apt-updated ]; then apt-get update -qq && touch /tmp/.earshot-apt-updated; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    say "missing: $* — install it with your package manager (e.g. sudo apt-get install $*)"
    exit 1
  fi
}

# Python 3.11+ is needed for the venv.
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)' 2>/dev/null; then
  say "Python 3.11 or 3.12 is required (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3.11."
  exit 1
fi
command -v java >/dev/null || apt_install openjdk-17-jre-headless
# javac compiles the contract tests' MongoDB-wire server launcher (infra/mongo_java.py)
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null || apt_install maven
if [ -z "${MONGO_URI:-}" ] && ! command -v mongod >/dev/null && ! command -v go >/dev/null; then
  say "Go >= 1.22 is needed to build the local MongoDB-compatible server (FerretDB); install it from"
  say "https://go.dev/doc/install, or set MONGO_URI to an existing MongoDB."
  exit 1
fi
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null; then
  apt_install chromium
fi

# The virtualenv, reinstalled only when pyproject.toml or constraints.txt changed.
stamp=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.earshot-stamp 2>/dev/null)" != "$stamp" ]; then
  say "installing Python dependencies into .venv (cached under ~/.cache after the first time)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check "uv==0.13.9"
  .venv/bin/uv pip install -q --python .venv/bin/python -c constraints.txt -e ".[dev]"
  echo "$stamp" > .venv/.earshot-stamp
fi
say "ready (.venv/bin/earshot)"
