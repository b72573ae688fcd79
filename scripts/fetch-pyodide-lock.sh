#!/usr/bin/env bash
# Fetch Pyodide's package list (pyodide-lock.json of the `pyodide` npm package) into the test cache, once.
# tests/test_lite.py resolves the xlwings Lite requirement set against it; it fetches the same way when
# the file is missing. PYODIDE_VERSION must match tests/test_lite.py.
set -euo pipefail
PYODIDE_VERSION=0.27.5
cache="${XL_CASHRISK_CACHE:-$HOME/.cache/xl-cashrisk}/pyodide-$PYODIDE_VERSION"
if [ -f "$cache/pyodide-lock.json" ]; then
    echo "Pyodide $PYODIDE_VERSION package list cached: $cache/pyodide-lock.json"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq npm >/dev/null
    else
        echo "fetch-pyodide-lock: npm is needed (apt-get install npm)" >&2
        exit 1
    fi
fi
mkdir -p "$cache"
(cd "$cache" && npm pack "pyodide@$PYODIDE_VERSION" --silent >/dev/null && \
    tar -xzf "pyodide-$PYODIDE_VERSION.tgz" --strip-components=1 package/pyodide-lock.json)
echo "fetched $cache/pyodide-lock.json"
