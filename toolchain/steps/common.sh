# Step runner for toolchain/setup.sh. A step file defines:
#   STEP_REGISTRY, STEP_PACKAGE, STEP_VERSION   where the step's result comes from, named when any command fails
#   step_inputs   prints everything the result depends on (versions, lockfile hashes); a change re-runs the step
#   step_check    exit 0 when the installed result is present and usable
#   step_install  installs; runs under errexit and pipefail, so its first failing command ends it; a command may also
#                 call `fail <registry> <package> <version> <why>` to say more
#   step_outputs  (optional) prints the paths the step builds: removed when its install or check fails, so the next
#                 run builds them again instead of trusting them
#   STEP_DISK_MIB (optional) free disk its cold install needs, measured; checked before the install starts
# and prints one progress line per step.

STAMPS="$MP_CACHE/stamps"

fail() {
  echo "FAILED: registry=$1 package=$2 version=$3: $4" >&2
  exit 1
}

# The ERR trap of a step's functions: the command that failed, where, and what the step installs.
step_failed() {
  echo "FAILED: registry=${STEP_REGISTRY:-?} package=${STEP_PACKAGE:-?} version=${STEP_VERSION:-?}: \`$2\` exited $1 (steps/$MP_STEP.sh line $3)" >&2
}

# Runs one function of a step file in a bash of its own under errexit and pipefail. A process of its own because bash
# ignores `set -e` inside anything an `if`, `&&` or `||` tests, however deep, and the runner has to test the result.
step_run() {  # step_run <step> <function>
  MP_STEP="$1" MP_STEP_FN="$2" bash -eEo pipefail -c '
    source "$0/lib.sh"
    source "$0/steps/common.sh"
    source "$0/steps/$MP_STEP.sh"
    trap '\''step_failed $? "$BASH_COMMAND" "$LINENO"'\'' ERR
    "$MP_STEP_FN"' "$TOOLCHAIN_DIR"
}

# Removes what a failed step built (its step_outputs), never outside the cache or node_modules, never across a mount
# (a root filesystem may have /proc or /dev bound inside while the embedded environment runs).
discard_outputs() {  # discard_outputs <step>
  local p
  declare -F step_outputs >/dev/null || return 0
  step_run "$1" step_outputs | while IFS= read -r p; do
    [ -n "$p" ] && [ -e "$p" ] || continue
    case "$p" in
      "$MP_CACHE"/?* | "$REPO_ROOT"/node_modules | "$REPO_ROOT"/node_modules/?*) ;;
      *) echo "  kept $p: outside the cache and node_modules" >&2; continue ;;
    esac
    if findmnt -rn -o TARGET | awk -v p="$p" '$0 == p || index($0, p "/") == 1 { hit = 1 } END { exit !hit }'; then
      echo "  kept $p: something is mounted inside it" >&2
      continue
    fi
    rm -rf --one-file-system -- "$p"
    echo "  removed $p (built by the failed step)" >&2
  done
}

# The Debian archive this machine is configured with (its apt sources), so no mirror is hard-coded anywhere.
debian_mirror() {
  [ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
  sed -n 's/^URIs: *\(\S*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1
  sed -n 's/^deb \(\[[^]]*\] \)\?\(\S*\/debian\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1
}

# Hash of files' contents, for step_inputs.
hash_files() { cat "$@" | sha256sum | cut -c1-16; }

# The log's last lines, one per line (build tools rewrite progress lines with \r).
log_tail() { tail -n 15 "$1" | tr '\r' '\n' | grep -av '^[[:space:]]*$' | tail -n 15 | cut -c1-300 | sed 's/^/    /'; }

# What a failed step says (a FAILED line naming the step, then the log's last lines), before its outputs are removed.
step_failure() {  # step_failure <step> <log> <the FAILED line>
  echo "$3" >&2
  echo "  last lines of $2:" >&2
  log_tail "$2" >&2
  discard_outputs "$1"
}

# Where an install writes: the cache, Go's build and module caches, the temp directory (Go's work directories).
disk_dirs() {
  echo "$MP_CACHE"
  if command -v go >/dev/null; then go env GOCACHE GOMODCACHE; fi
  echo "${GOTMPDIR:-${TMPDIR:-/tmp}}"
}

# "<free MiB> <mount> <dir>" for each filesystem an install writes to, once each (a missing dir: its nearest parent).
disk_free() {
  local d p
  disk_dirs | while IFS= read -r d; do
    [ -n "$d" ] || continue
    p="$d"
    while [ ! -e "$p" ]; do p="$(dirname "$p")"; done
    df -Pm "$p" | awk -v d="$d" 'NR == 2 {print $4, $6, d}'
  done | awk '!seen[$2]++'
}

# A full disk is named before the install starts, with the figures, instead of surfacing as "no space left on device"
# deep in a Go build's log after minutes of work.
disk_preflight() {  # disk_preflight <step>
  [ -n "${STEP_DISK_MIB:-}" ] || return 0
  local short
  short="$(disk_free | awk -v need="$STEP_DISK_MIB" '$1 < need {printf "%s%s has %s MiB free (filesystem %s)", (n++ ? "; " : ""), $3, $1, $2}')"
  [ -z "$short" ] && return 0
  echo "FAILED: step=$1 needs $STEP_DISK_MIB MiB of free disk to build (STEP_DISK_MIB in steps/$1.sh): $short." \
    "Free space there, or point MESSAGING_PLATFORM_CACHE, GOCACHE, GOMODCACHE or TMPDIR at a larger disk." >&2
  return 1
}

# The install's own FAILED line (from `fail` or the ERR trap), with the step's name put in.
install_failure_line() {  # install_failure_line <step> <log>
  local first
  first="$(grep -ah -m1 '^FAILED:' "$2" || true)"
  if grep -aqi 'no space left on device' "$2"; then
    echo "FAILED: step=$1 ran out of disk (\"no space left on device\" in its log; free now:" \
      "$(disk_free | awk '{printf "%s%s %s MiB (filesystem %s)", (n++ ? ", " : ""), $3, $1, $2}')." \
      "Free space, or point MESSAGING_PLATFORM_CACHE, GOCACHE, GOMODCACHE or TMPDIR at a larger disk."
    [ -n "$first" ] && echo "${first/#FAILED:/  then: FAILED: step=$1}"
    return 0
  fi
  if [ -n "$first" ]; then echo "${first/#FAILED:/FAILED: step=$1}"; else echo "FAILED: step=$1 install failed (no registry named)"; fi
}

run_step() {
  local n="$1" name="$2" t0=$SECONDS log
  (
    unset -f step_inputs step_check step_install step_outputs
    source "$TOOLCHAIN_DIR/steps/$name.sh"
    mkdir -p "$STAMPS"
    # Two setups sharing a cache (two checkouts, a test and a terminal) take turns per step: a step's build directory
    # must not be removed under another run's feet.
    exec 9>"$STAMPS/.$name.lock"
    flock 9
    local want have
    want="$(step_inputs)"
    have="$(cat "$STAMPS/$name" 2>/dev/null || true)"
    if [ "$want" = "$have" ] && step_run "$name" step_check >/dev/null 2>&1; then
      printf '[%s] %-20s cached\n' "$n" "$name"
      exit 0
    fi
    disk_preflight "$name" || exit 1
    printf '[%s] %-20s installing...\n' "$n" "$name"
    log="$MP_CACHE/logs/$name.log"
    mkdir -p "$(dirname "$log")"
    rm -f "$STAMPS/$name"
    if ! step_run "$name" step_install >"$log" 2>&1; then
      step_failure "$name" "$log" "$(install_failure_line "$name" "$log")"
      exit 1
    fi
    if ! step_run "$name" step_check >>"$log" 2>&1; then
      step_failure "$name" "$log" "FAILED: step=$name installed but its check failed; see $log"
      exit 1
    fi
    echo "$want" >"$STAMPS/$name"
    printf '[%s] %-20s ok (%ss)\n' "$n" "$name" "$((SECONDS - t0))"
  )
}
