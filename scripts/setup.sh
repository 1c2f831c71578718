#!/usr/bin/env bash
# Set up reportgen on a fresh Debian 12 / Ubuntu 24.04 machine, then build the example.
# Installs LibreOffice (no GUI) with its Python bridge (python3-uno, for the resident
# converters of 'reportgen preview'), the Liberation fonts (metric-compatible with Arial), poppler
# (pdftotext, used by the tests), hunspell with its en-GB dictionary (the spelling check),
# Chromium and its driver (the browser tests open the HTML editions in it, headless) and
# Python, and creates .venv with reportgen in it.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y --no-install-recommends \
  python3 python3-venv python3-pip \
  libreoffice-writer-nogui python3-uno fonts-liberation poppler-utils hunspell hunspell-en-gb \
  chromium chromium-driver \
  git ca-certificates

# The browser tests' driver (chromedriver) reaches the browser at "localhost"; a minimal
# system (a fresh chroot, a slim container) may have no /etc/hosts to say where that is.
if ! getent hosts localhost >/dev/null 2>&1; then
  echo "127.0.0.1 localhost" | $sudo tee -a /etc/hosts >/dev/null
fi

# A fresh Debian/Ubuntu refuses pip installs into the system Python (PEP 668): use a venv.
# Every package at the version requirements.lock pins (what CI tests; `invoke lock` makes
# it), and reportgen itself, editable.
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --constraint requirements.lock -e '.[dev]'

# Readable diffs of the Word templates (see .gitattributes).
if git rev-parse --git-dir >/dev/null 2>&1; then
  git config diff.docx.textconv "$PWD/.venv/bin/reportgen textconv"
fi

.venv/bin/invoke build
