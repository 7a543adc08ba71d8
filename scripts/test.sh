#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine: installs what the
# tests need, starts the real services they use, then runs `npm test`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap-node.sh"
cd "$DVOM_ROOT"

# System packages the tests use (GNU tar for interoperability tests).
APT_PACKAGES=(tar)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

install_deps
echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== build"; npm run --silent build
node dist/main/cli/dvom.js --help >/dev/null
echo "== tests"
npm test
