#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine: installs what the
# tests need, starts the real services they use, then runs `npm test`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap-node.sh"
cd "$DVOM_ROOT"

# System packages the tests use: GNU tar (interoperability), a Docker engine
# and a static busybox for test containers, Ceph's S3 gateway, a Secret
# Service keychain on a private D-Bus session, and Chromium for the UI tests.
APT_PACKAGES=(tar docker.io busybox-static ceph-mon ceph-osd radosgw ceph-common gnome-keyring dbus dbus-x11 libsecret-tools chromium fonts-liberation faketime)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

install_deps
echo "== services"
bash scripts/services/docker.sh
rgw_env="$(bash scripts/services/ceph-rgw.sh)"
while IFS= read -r line; do [ -n "$line" ] && export "${line?}"; done <<<"$rgw_env"
trap 'bash scripts/services/ceph-rgw.sh stop >/dev/null 2>&1 || true' EXIT
echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== build"; npm run --silent build
node dist/main/cli/dvom.js --help >/dev/null
echo "== tests"
# On CI every real component is started above: a test that would skip for lack of one fails instead.
export DVOM_REQUIRE_DOCKER=1
# Includes the > 4 GiB sparse-file round trip (about a minute).
export DVOM_SLOW_TESTS=1
# The keychain tests need a Secret Service: a private D-Bus session with an unlocked gnome-keyring
# whose keyrings live in a fresh folder (never the user's own login keyring).
keyrings="$(mktemp -d)"
status=0
dbus-run-session -- bash -c "printf dvom-test | XDG_DATA_HOME='$keyrings' gnome-keyring-daemon --unlock --components=secrets >/dev/null && npm test" || status=$?
rm -rf "$keyrings"
exit $status
