#!/usr/bin/env bash
# Installs schemathesis (pinned) into .tools/py, a virtualenv of its own; a second run only checks and exits.
# Needs PyPI (setup time only); the fuzz test and bench/fuzz/run.sh use .tools/py/bin/st and no network.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.tools/py"
version="${SCHEMATHESIS_VERSION:-4.32.5}"
if [ -x "$venv/bin/st" ] && "$venv/bin/python" -c "import importlib.metadata as m,sys; sys.exit(m.version('schemathesis')!='$version')" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
"$venv/bin/st" --version
