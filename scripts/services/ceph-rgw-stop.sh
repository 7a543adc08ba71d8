#!/usr/bin/env bash
# Stops the throwaway Ceph cluster (mon, OSD, radosgw) started by ceph-rgw.sh
# from $DVOM_CEPH_DIR (default /tmp/dvom-ceph). Its files stay for inspection.
exec "$(dirname "$0")/ceph-rgw.sh" stop
