#!/usr/bin/env bash
# Runs dvom from a fresh checkout: installs Node 24 and the dependencies if
# needed, builds, then passes its arguments to dvom. With no arguments it
# backs up this project's assets folder into the default local store and lists it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap-node.sh"
install_deps
cd "$DVOM_ROOT"
[ -f dist/main/cli/dvom.js ] && [ -z "$(find src -newer dist/main/cli/dvom.js -name '*.ts' -print -quit)" ] || npm run --silent build
if [ $# -eq 0 ]; then
  node dist/main/cli/dvom.js backup --path="$DVOM_ROOT/assets" --name=demo
  exec node dist/main/cli/dvom.js list
fi
exec node dist/main/cli/dvom.js "$@"
