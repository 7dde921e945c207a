#!/usr/bin/env bash
# npm run setup: installs the whole toolchain from package registries only, pinned, into a versioned cache
# outside the repo. Idempotent: each step records what it built in a stamp file and is skipped when its
# inputs have not changed, so a warm run takes seconds.
#
#   bash toolchain/setup.sh            all steps
#   bash toolchain/setup.sh node npm   only the named steps (in the order given)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$TOOLCHAIN_DIR/steps/common.sh"

ALL_STEPS=(node debian-tools npm librdkafka pulumi kubernetes-provider helm kubernetes-schemas monitoring-schemas prometheus kafka jmx-exporter perf-test rabbitmq-rootfs runner-rootfs browser)
usage() { echo "usage: bash toolchain/setup.sh [step ...]   (npm run setup; steps: ${ALL_STEPS[*]})"; }
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
if [ "$#" -gt 0 ]; then STEPS=("$@"); else STEPS=("${ALL_STEPS[@]}"); fi
# Every step named must exist before any runs: an unknown step or flag prints the usage, exit 2.
for s in "${STEPS[@]}"; do
  if [ ! -f "$TOOLCHAIN_DIR/steps/$s.sh" ] || [ "$s" = common ]; then
    echo "setup: unknown step '$s'" >&2
    usage >&2
    exit 2
  fi
done

mkdir -p "$MP_CACHE"
echo "messaging-platform setup: cache $MP_CACHE"
start=$SECONDS
i=0
took=()
for s in "${STEPS[@]}"; do
  i=$((i + 1))
  t=$SECONDS
  run_step "$i/${#STEPS[@]}" "$s"
  took+=("$s $((SECONDS - t))s")
done
# One line with every step's time: what a cold run (CI, a new machine) spent where.
echo "setup: done in $((SECONDS - start))s ($(IFS=,; echo "${took[*]}" | sed 's/,/, /g'))"
