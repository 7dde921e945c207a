#!/bin/sh
# Run in a broker's container (sh -c, no arguments): SIGKILL every process this user may signal, except this shell and
# PID 1 (the pod's pause process, as the pod shares one PID namespace). Prints "pid comm" per process killed.
# No -e: a process may exit before it is read or signalled, or belong to another user; the loop goes on past it.
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  if [ "$p" != 1 ] && [ "$p" != $$ ]; then
    c=$(cat "$d/comm" 2>/dev/null)
    if kill -KILL "$p" 2>/dev/null; then echo "$p $c"; fi
  fi
done
