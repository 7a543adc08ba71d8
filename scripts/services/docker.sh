#!/usr/bin/env bash
# Starts a Docker engine for the tests if none answers: no bridge network and
# no iptables (test containers always run with --network none).
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
log="${DVOM_SERVICE_LOGS:-/tmp}/dockerd.log"
nohup dockerd --bridge=none --iptables=false --ip6tables=false >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "dockerd did not start; its log ($log):" >&2
tail -n 40 "$log" >&2
exit 1
