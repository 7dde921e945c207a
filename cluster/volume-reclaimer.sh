#!/usr/bin/env bash
# volume-reclaimer.sh <node> <volumes dir>: a node's volume reclaimer, one of the node's processes (it freezes, stops
# and goes with its node): what sig-storage-local-static-provisioner's DaemonSet does for local volumes. A claim
# deleted (a stack destroyed, a StatefulSet's PVC removed) leaves its `local` volume Released, and a Released volume
# never binds again; so every few seconds each Released volume of this node is wiped (its old data must not reach
# the next claim) and made Available again by removing its claimRef.
# No -e: one volume that cannot be wiped or patched (the API server restarting, a file in use) must not end the loop
# that reclaims the others; each volume's steps are chained with && instead.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
NODE="$1"
VOLUMES_DIR="$2"

released() {
  kc get pv -l "messaging-platform.io/cluster-volume=true,messaging-platform.io/cluster-node=$NODE" \
    -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{" "}{.spec.local.path}{"\n"}{end}'
}

while true; do
  released 2>/dev/null | while read -r name path; do
    # Only the cluster's own volume directories are ever wiped.
    case "$path" in
      "$VOLUMES_DIR"/pv-*) ;;
      *) echo "skipping $name: $path is not under $VOLUMES_DIR"; continue ;;
    esac
    find "$path" -mindepth 1 -delete &&
      kc patch pv "$name" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null &&
      echo "$(date -u +%FT%TZ) reclaimed $name (wiped $path)"
  done
  sleep 3
done
