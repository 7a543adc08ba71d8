#!/usr/bin/env bash
# Throwaway single-node Ceph RADOS Gateway (S3) on 127.0.0.1 for the tests.
#
#   ceph-rgw.sh [start]   start mon + memstore OSD + radosgw if no RGW answers
#                         on the port yet; prints the connection env on stdout
#   ceph-rgw.sh stop      kill every daemon started from $DVOM_CEPH_DIR
#   ceph-rgw.sh stop-rgw  kill only radosgw (to simulate an outage)
#   ceph-rgw.sh start-rgw start radosgw again and wait until it answers
#   ceph-rgw.sh env       print the connection env only
#
# Env: DVOM_RGW_PORT (7480), DVOM_CEPH_DIR (/tmp/dvom-ceph),
#      DVOM_CEPH_MON_PORT (msgr v2, 3300), DVOM_CEPH_MON_V1_PORT (6789),
#      DVOM_CEPH_TIMEOUT (seconds to wait for the S3 endpoint, 90).
# Everything (conf, mon/osd data, logs, pid files, sockets) lives under
# $DVOM_CEPH_DIR; /etc/ceph and /var/lib/ceph are never touched. Only the
# DVOM_TEST_S3_* lines go to stdout; diagnostics go to stderr.
# Needs the Debian packages ceph-mon ceph-osd radosgw ceph-common.
set -euo pipefail

PORT="${DVOM_RGW_PORT:-7480}"
DIR="${DVOM_CEPH_DIR:-/tmp/dvom-ceph}"
MON_PORT="${DVOM_CEPH_MON_PORT:-3300}"
MON_V1_PORT="${DVOM_CEPH_MON_V1_PORT:-6789}"
TIMEOUT="${DVOM_CEPH_TIMEOUT:-90}"
CONF="$DIR/ceph.conf"
RGW_NAME="client.rgw.dvom"

ACCESS_KEY=dvomtestaccess
SECRET_KEY=dvomtestsecret0123456789
RO_ACCESS_KEY=dvomreadonly
RO_SECRET_KEY=dvomreadonlysecret0123456789

log() { echo "ceph-rgw: $*" >&2; }

print_env() {
  echo "DVOM_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT"
  echo "DVOM_TEST_S3_ACCESS_KEY=$ACCESS_KEY"
  echo "DVOM_TEST_S3_SECRET_KEY=$SECRET_KEY"
  echo "DVOM_TEST_S3_RO_ACCESS_KEY=$RO_ACCESS_KEY"
  echo "DVOM_TEST_S3_RO_SECRET_KEY=$RO_SECRET_KEY"
}

# True when an S3 gateway answers an anonymous GET / with ListAllMyBuckets.
# Uses bash's /dev/tcp so it needs no curl.
rgw_answers() {
  local reply
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n" "$1" >&3
    cat <&3' _ "$PORT" 2>/dev/null) || true
  [[ "$reply" == *ListAllMyBucketsResult* ]]
}

pid_of() { # name: prints the pid if that daemon (from our pid file) is alive
  local f="$DIR/run/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(tr -dc '0-9' <"$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: it must be our daemon, run with our conf.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-c $CONF " || return 1
  echo "$pid"
}

# Alive and not a zombie (our daemons are reaped by init, which may lag).
alive() { # pid
  local st
  st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

kill_daemons() { # signal name...: signal them all, wait (10 s, then SIGKILL)
  local sig=$1 n pid pids=()
  shift
  for n in "$@"; do
    if pid=$(pid_of "$n"); then
      kill "-$sig" "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$DIR/run/$n.pid"
  done
  for _ in $(seq 1 100); do
    local left=0
    for pid in "${pids[@]}"; do alive "$pid" && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  sleep 0.5
}

kill_daemon() { kill_daemons TERM "$1"; } # graceful, for radosgw alone

stop_all() {
  # SIGKILL: the data is throwaway (memstore), and a graceful shutdown takes
  # ~2 s per daemon (the OSD up to 5 s more if the mon is already gone).
  [ -d "$DIR/run" ] || return 0
  kill_daemons KILL "$RGW_NAME" osd.0 mon.a
}

dump_logs() {
  local f
  for f in "$DIR"/log/*.log "$DIR"/log/*.out; do
    [ -s "$f" ] || continue
    echo "----- tail of $f -----" >&2
    tail -n 20 "$f" >&2
  done
}

STARTING=0
fail() {
  log "$*"
  dump_logs
  # A half-started cluster is of no use: don't leave its daemons behind.
  if [ "$STARTING" = 1 ]; then stop_all; fi
  exit 1
}

# Runs a daemon in the foreground (-f) in its own session, detached from the
# caller's stdio, and records its pid.
spawn() { # name cmd...
  local name=$1; shift
  setsid "$@" -f </dev/null >>"$DIR/log/$name.out" 2>&1 &
  echo $! >"$DIR/run/$name.pid"
  # Wait for the exec, so that pid_of's command-line check holds from now on.
  for _ in $(seq 1 50); do
    pid_of "$name" >/dev/null && return 0
    sleep 0.05
  done
}

start_rgw_daemon() {
  spawn "$RGW_NAME" radosgw -c "$CONF" -n "$RGW_NAME"
}

wait_rgw() { # seconds
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    rgw_answers && return 0
    pid_of "$RGW_NAME" >/dev/null || fail "radosgw exited"
    sleep 0.5
  done
  fail "radosgw did not answer on 127.0.0.1:$PORT within $1 s"
}

ceph_cmd() { timeout 30 ceph -c "$CONF" --connect-timeout 20 "$@"; }

write_conf() {
  local fsid=$1
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]
public_addr = 127.0.0.1
public_network = 127.0.0.0/8
cluster_network = 127.0.0.0/8
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_cluster_mode = crc
ms_service_mode = crc
ms_client_mode = crc
ms_mon_cluster_mode = crc
ms_mon_service_mode = crc
ms_mon_client_mode = crc
keyring = $DIR/keyring
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
log_to_stderr = false
err_to_stderr = false
log_to_file = true
crash_dir = $DIR/crash
mon_data = $DIR/mon/\$cluster-\$id
osd_data = $DIR/osd/\$cluster-\$id
osd_objectstore = memstore
memstore_device_bytes = 4294967296
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
# Faster map updates: startup is dominated by RGW creating its pools.
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
mon_allow_pool_delete = true
mon_max_pg_per_osd = 1000
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
osd_op_num_shards = 2
osd_op_num_threads_per_shard = 1

[mon]
mon_initial_members = a

[osd]
osd_crush_update_on_start = true

[$RGW_NAME]
rgw_frontends = beast endpoint=127.0.0.1:$PORT
rgw_data = $DIR/rgw
rgw_dns_name = 127.0.0.1
rgw_thread_pool_size = 64
rgw_enable_usage_log = false
rgw_lc_debug_interval = -1
# Free deleted objects' data soon (default: after 2 h), memstore is RAM.
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 30
EOF
}

start_cluster() {
  local t0=$SECONDS
  STARTING=1
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool ceph-authtool; do
    command -v "$b" >/dev/null || { log "$b not found (install ceph-mon ceph-osd radosgw ceph-common)"; exit 1; }
  done

  # Wipe whatever a previous run left (its daemons first).
  stop_all
  rm -rf "$DIR"
  mkdir -p "$DIR"/{mon,osd/ceph-0,rgw,log,run,crash}

  local fsid osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"

  # Auth is off, but mon --mkfs still wants a keyring to seed.
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' \
    --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]" \
    "$DIR/monmap" >/dev/null 2>>"$DIR/log/setup.log"

  log "creating monitor in $DIR"
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" \
    >>"$DIR/log/setup.log" 2>&1 || fail "ceph-mon --mkfs failed"
  spawn mon.a ceph-mon -c "$CONF" -i a

  # 'osd new' also proves the mon answers.
  local osd_id="" deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    pid_of mon.a >/dev/null || fail "ceph-mon exited"
    osd_id=$(ceph_cmd osd new "$osd_uuid" 2>>"$DIR/log/setup.log") && break
    sleep 0.5
  done
  [ "$osd_id" = 0 ] || fail "could not register the OSD with the monitor (got '$osd_id')"

  log "creating memstore OSD"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" \
    >>"$DIR/log/setup.log" 2>&1 || fail "ceph-osd --mkfs failed"
  spawn osd.0 ceph-osd -c "$CONF" -i 0

  deadline=$((SECONDS + 40))
  until ceph_cmd osd dump 2>/dev/null | grep -q '^osd\.0 up'; do
    pid_of osd.0 >/dev/null || fail "ceph-osd exited"
    [ $SECONDS -lt $deadline ] || fail "OSD did not come up"
    sleep 0.5
  done

  # Users first (radosgw-admin also sets up the default zone and its pools),
  # so that they exist as soon as the endpoint answers.
  log "creating S3 users"
  radosgw-admin -c "$CONF" user create --uid=dvom-test --display-name="dvom test" \
    --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >/dev/null 2>>"$DIR/log/setup.log" \
    || fail "radosgw-admin user create dvom-test failed"
  radosgw-admin -c "$CONF" user create --uid=dvom-readonly --display-name="dvom read-only" \
    --access-key="$RO_ACCESS_KEY" --secret="$RO_SECRET_KEY" \
    >/dev/null 2>>"$DIR/log/setup.log" \
    || fail "radosgw-admin user create dvom-readonly failed"

  log "starting radosgw on 127.0.0.1:$PORT"
  start_rgw_daemon
  wait_rgw "$TIMEOUT"

  STARTING=0
  log "ready in $((SECONDS - t0)) s (logs in $DIR/log)"
}

case "${1:-start}" in
  start)
    if rgw_answers; then
      log "an RGW already answers on 127.0.0.1:$PORT"
    else
      start_cluster
    fi
    print_env
    ;;
  stop)
    stop_all
    ;;
  stop-rgw)
    kill_daemon "$RGW_NAME"
    ;;
  start-rgw)
    if ! rgw_answers; then
      [ -f "$CONF" ] && pid_of osd.0 >/dev/null && pid_of mon.a >/dev/null \
        || { log "no running cluster in $DIR; run '$0 start'"; exit 1; }
      kill_daemon "$RGW_NAME"
      start_rgw_daemon
      wait_rgw "$TIMEOUT"
    fi
    ;;
  env)
    print_env
    ;;
  *)
    echo "usage: $0 [start|stop|stop-rgw|start-rgw|env]" >&2
    exit 2
    ;;
esac
