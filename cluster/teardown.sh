# cluster down: removes every process, mount, network namespace, iptables rule and chain, ipset, interface and
# cgroup the cluster created, and puts back the kernel settings it changed. Safe to run at any time, repeatedly.
# It touches only what is the cluster's: processes it started (pid files) or that live in its cgroups (mp-cluster,
# and kubepods of a single-node cluster of before) or its containerds' shims; KUBE-* chains and sets (kubelet,
# kube-proxy, kube-router: inside the nodes' namespaces, which go as a whole); mounts under its directories; the
# nodes' mpk8s-node-* and the CNI's cni-* network namespaces. Sourced by cluster.sh, under its set -euo pipefail.

kill_pid() {
  # kill_pid <pid> <signal>
  kill "-$2" "$1" 2>/dev/null || true
}

wait_gone() {
  local pid="$1" i
  for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill_pid "$pid" KILL
}

# Every process in the cluster's cgroups (every node's daemons, shims and pods) or run by its containerds' shims.
pod_pids() {
  local f
  for f in /sys/fs/cgroup/pids/$CGROUP_PARENT /sys/fs/cgroup/pids/kubepods /sys/fs/cgroup/memory/kubepods; do
    [ -d "$f" ] && find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null
  done
  pgrep -f -- "containerd-shim-runc-v2 -namespace k8s.io .*-address $CLUSTER_RUN/" || true
}

stop_component() {
  local name="$1" pid
  pid="$(cat "$(pidfile "$name")" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill_pid "$pid" TERM
    wait_gone "$pid"
  fi
  rm -f "$(pidfile "$name")"
}

remove_nodes_processes() {
  # Every node powered off (thawed first, killed as a whole: cluster/nodes.sh), then whatever else ran as theirs.
  local n p
  for n in $(nodes_present); do node_stop "$n"; done
  for p in $(pod_pids | sort -u); do kill_pid "$p" KILL; done
}

remove_mounts() {
  # Deepest first; lazily, as a last resort, for a mount still busy.
  local m
  findmnt -rn -o TARGET | grep -E "^($CLUSTER_DIR|$CLUSTER_RUN|/run/netns/cni-|/var/run/netns/cni-)" | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^(cni-|mpk8s-node-)' || true); do ip netns delete "$ns" 2>/dev/null || true; done
}

remove_iptables() {
  # Jumps from the built-in chains into the cluster's chains, then the chains themselves: KUBE-* (kubelet,
  # kube-proxy, kube-router) and MP-CLUSTER-GUARD. Rule by rule, so concurrent rules of others stay untouched.
  local ipt table rule chain
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for table in filter nat mangle raw; do
      "$ipt" -w -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE-|MP-CLUSTER-)' | grep -vE '^-A (KUBE-|MP-CLUSTER-)' \
        | while read -r rule; do
          # shellcheck disable=SC2086
          eval "$ipt -w -t $table ${rule/-A /-D }" 2>/dev/null || true
        done
      for chain in $("$ipt" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^MP-CLUSTER-/) {print $2}'); do
        "$ipt" -w -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^MP-CLUSTER-/) {print $2}'); do
        "$ipt" -w -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  if command -v ipset >/dev/null; then
    local set
    for set in $(ipset list -n 2>/dev/null | grep -E '^(inet6:)?(KUBE-|kube-router-)' || true); do ipset destroy "$set" 2>/dev/null || true; done
  fi
}

remove_cgroups() {
  # mp-cluster (and kubepods) under every v1 hierarchy and the unified one: children before parents. The VM's own
  # cgroups stay.
  local root d top
  for root in /sys/fs/cgroup/*/; do
    for top in "$CGROUP_PARENT" kubepods; do
      [ -d "$root/$top" ] || continue
      find "$root/$top" -depth -type d 2>/dev/null | while read -r d; do rmdir "$d" 2>/dev/null || true; done
    done
  done
}

remove_links() {
  local l
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^mpk8s-v[0-9]+$' || true); do
    ip link del "$l" 2>/dev/null || true
  done
  ip link del "$POD_BRIDGE" 2>/dev/null || true   # a single-node cluster of before had it on the machine
  ip link del "$CP_IF" 2>/dev/null || true
  ip route del unreachable "$SERVICE_CIDR" 2>/dev/null || true
}

restore_sysctls() {
  local kv
  if [ -f "$CLUSTER_RUN/host-sysctls" ]; then
    while read -r kv; do sysctl -qw "$kv" 2>/dev/null || true; done <"$CLUSTER_RUN/host-sysctls"
    rm -f "$CLUSTER_RUN/host-sysctls"
  fi
}

# remove_joined_nodes <size>: the whole directory of every node numbered above the size `up` was started with (a node
# joined later, as node-lost's replacement): its certificates and image store (some 4 GB) too, which `up` keeps warm
# for its own nodes only; a later `up --nodes <size>` would never use them, nor free their disk. Without a size, none.
remove_joined_nodes() {
  local size="$1" d n
  [[ "$size" =~ ^[0-9]+$ ]] || return 0
  for d in "$CLUSTER_DIR"/nodes/cluster-node-*; do
    n="${d##*/cluster-node-}"
    if [ -d "$d" ] && [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt "$size" ]; then rm -rf "$d"; fi
  done
  return 0
}

down() {
  # Best effort, every step: a missing thing is not an error here (leftovers reports what remains).
  set +e +o pipefail
  local purge=false t0=$SECONDS c i size
  [ "${1:-}" = "--purge" ] && purge=true
  size="$(cat "$CLUSTER_RUN/size" 2>/dev/null)"
  echo "cluster down: $CLUSTER_DIR"
  remove_nodes_processes
  # The control plane in reverse start order.
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    c="${COMPONENTS[$i]}"
    stop_component "$c"
  done
  local p
  for p in $(pod_pids | sort -u); do kill_pid "$p" KILL; done
  sleep 0.5
  remove_mounts
  remove_iptables
  remove_cgroups
  remove_links
  restore_sysctls
  # State that a next `up` must not reuse: the API's data, the kubelets' pods and logs, the CNI's leases, the
  # volumes. Certificates and the nodes' containerd image stores stay (warm up); --purge removes them too.
  local d
  remove_joined_nodes "$size"
  for d in "$CLUSTER_DIR"/nodes/*/; do rm -rf "$d/kubelet" "$d/pod-logs" "$d/cni/ipam"; done
  rm -rf "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/kubelet" "$CLUSTER_DIR/cni" "$CLUSTER_DIR/containerd" "$VOLUMES_DIR" "$CLUSTER_RUN"
  if $purge; then rm -rf "$CLUSTER_DIR"; fi
  echo "cluster down: done in $((SECONDS - t0))s"
  leftovers
}

# Prints what is still there (nothing after a clean down); exit 1 if anything is.
leftovers() {
  set +e +o pipefail
  local left=0 out
  out="$(pgrep -a -f -- "^($KUBERNETES_ROOT/bin/|$ETCD_ROOT/bin/|containerd --config $CLUSTER_DIR/)|-address $CLUSTER_RUN/|cluster/(volume-reclaimer|node-exec)\.sh")"
  [ -n "$out" ] && { echo "left: processes"; echo "$out"; left=1; }
  out="$(pod_pids | sort -u)"
  [ -n "$out" ] && { echo "left: pod processes $out"; left=1; }
  out="$(findmnt -rn -o TARGET | grep -E "^($CLUSTER_DIR|$CLUSTER_RUN|/run/netns/cni-|/run/netns/mpk8s-node-)" || true)"
  [ -n "$out" ] && { echo "left: mounts"; echo "$out"; left=1; }
  out="$(ip netns list 2>/dev/null | grep -E '^(cni-|mpk8s-node-)' || true)"
  [ -n "$out" ] && { echo "left: netns"; echo "$out"; left=1; }
  out="$( { iptables -w -S; iptables -w -t nat -S; iptables -w -t mangle -S; ip6tables -w -S; ip6tables -w -t nat -S; ip6tables -w -t mangle -S; } 2>/dev/null | grep -E 'KUBE-|MP-CLUSTER-' || true)"
  [ -n "$out" ] && { echo "left: iptables"; echo "$out" | head; left=1; }
  out="$(ipset list -n 2>/dev/null | grep -E '^(inet6:)?(KUBE-|kube-router-)' || true)"
  [ -n "$out" ] && { echo "left: ipsets"; echo "$out" | head; left=1; }
  out="$(ls -d /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/"$CGROUP_PARENT" 2>/dev/null || true)"
  [ -n "$out" ] && { echo "left: cgroups"; echo "$out"; left=1; }
  out="$(ip -o link show 2>/dev/null | grep -E "$POD_BRIDGE|$CP_IF|mpk8s-v[0-9]" || true)"
  [ -n "$out" ] && { echo "left: links"; echo "$out"; left=1; }
  out="$(ip route show 2>/dev/null | grep -E "^(10\.244\.|$NODE_NET|unreachable $SERVICE_CIDR)" || true)"
  [ -n "$out" ] && { echo "left: routes"; echo "$out"; left=1; }
  [ "$left" = 0 ] && echo "cluster down: nothing left (processes, mounts, netns, iptables, ipsets, cgroups, links, routes)"
  return "$left"
}
