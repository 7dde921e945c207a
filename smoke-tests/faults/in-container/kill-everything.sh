#!/bin/sh
# Run in a broker's container (sh -c; argument: the hold-down marker, for a kill that holds the broker down): SIGKILL
# every process this user may signal, except this shell and PID 1 (the pod's pause process, as the pod shares one PID
# namespace). Prints "pid comm" per process killed.
# With a marker: it is created first, so the container the kubelet restarts waits (the charts' hold-down hook) until
# the drill removes it; printed as "held: <marker>". When it cannot be created (no hook in this pod), nothing is
# killed: the script says so and exits 3, since a kill that was asked to hold down must not become a crash and restart.
# No -e: a process may exit before it is read or signalled, or belong to another user; the loop goes on past it.
# `true`, not `:`: a failed redirection of a special builtin (`:`) makes a POSIX shell exit instead of failing the if.
if [ -n "${1:-}" ]; then
  if ! true >"$1"; then
    echo "cannot create $1: this pod has no hold-down hook (its chart's holdDown.enabled is false?); nothing killed"
    exit 3
  fi
  echo "held: $1"
fi
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  if [ "$p" != 1 ] && [ "$p" != $$ ]; then
    c=$(cat "$d/comm" 2>/dev/null)
    if kill -KILL "$p" 2>/dev/null; then echo "$p $c"; fi
  fi
done
