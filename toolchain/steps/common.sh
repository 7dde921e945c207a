# Step runner for toolchain/setup.sh. A step file defines:
#   step_inputs   prints everything the result depends on (versions, lockfile hashes); a change re-runs the step
#   step_check    exit 0 when the installed result is present and usable
#   step_install  installs; on failure calls `fail <registry> <package> <version> <why>`
# and prints one progress line per step.

STAMPS="$MP_CACHE/stamps"

fail() {
  echo "FAILED: registry=$1 package=$2 version=$3: $4" >&2
  exit 1
}

# The Debian archive this machine is configured with (its apt sources), so no mirror is hard-coded anywhere.
debian_mirror() {
  [ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
  sed -n 's/^URIs: *\(\S*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1
  sed -n 's/^deb \(\[[^]]*\] \)\?\(\S*\/debian\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1
}

# Hash of files' contents, for step_inputs.
hash_files() { cat "$@" | sha256sum | cut -c1-16; }

run_step() {
  local n="$1" name="$2" t0=$SECONDS log
  (
    unset -f step_inputs step_check step_install
    source "$TOOLCHAIN_DIR/steps/$name.sh"
    mkdir -p "$STAMPS"
    # Two setups sharing a cache (two checkouts, a test and a terminal) take turns per step: a step's build directory
    # must not be removed under another run's feet.
    exec 9>"$STAMPS/.$name.lock"
    flock 9
    local want have
    want="$(step_inputs)"
    have="$(cat "$STAMPS/$name" 2>/dev/null || true)"
    if [ "$want" = "$have" ] && step_check >/dev/null 2>&1; then
      printf '[%s] %-20s cached\n' "$n" "$name"
      exit 0
    fi
    printf '[%s] %-20s installing...\n' "$n" "$name"
    log="$MP_CACHE/logs/$name.log"
    mkdir -p "$(dirname "$log")"
    rm -f "$STAMPS/$name"
    if ! (step_install) >"$log" 2>&1; then
      # The step, the registry, the package and the version, then the log's last lines: enough to act on.
      grep -ah '^FAILED:' "$log" | sed "s/^FAILED:/FAILED: step=$name/" >&2 || echo "FAILED: step=$name (no registry named)" >&2
      echo "  last lines of $log:" >&2
      # Build tools rewrite progress lines with \r: keep each line readable.
      tail -n 15 "$log" | tr '\r' '\n' | grep -av '^[[:space:]]*$' | tail -n 15 | cut -c1-300 | sed 's/^/    /' >&2
      exit 1
    fi
    if ! (step_check) >>"$log" 2>&1; then
      echo "FAILED: step=$name installed but its check failed; see $log" >&2
      tail -n 15 "$log" | tr '\r' '\n' | grep -av '^[[:space:]]*$' | tail -n 15 | cut -c1-300 | sed 's/^/    /' >&2
      exit 1
    fi
    echo "$want" >"$STAMPS/$name"
    printf '[%s] %-20s ok (%ss)\n' "$n" "$name" "$((SECONDS - t0))"
  )
}
