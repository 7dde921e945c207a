#!/usr/bin/env bash
# node-exec.sh <cgroup> <netns> <command...>: runs a node's daemon inside the node: first this process joins the
# node's cgroup (`<cgroup>/daemons` in every v1 hierarchy, so the daemon, its children and its shims freeze with the
# node), then it becomes the command in the node's network namespace. nsenter, not `ip netns exec`: that one also
# makes a mount namespace and remounts /sys, hiding the cgroup v1 mounts the kubelet and runc need.
set -euo pipefail
cgroup="$1" netns="$2"
shift 2
for h in /sys/fs/cgroup/*/; do
  [ "$h" = /sys/fs/cgroup/unified/ ] && continue
  [ -f "$h$cgroup/daemons/cgroup.procs" ] || continue
  echo $$ >"$h$cgroup/daemons/cgroup.procs"
done
exec nsenter --net="/run/netns/$netns" -- "$@"
