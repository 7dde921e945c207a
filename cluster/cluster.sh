#!/usr/bin/env bash
# npm run cluster:up | cluster:status | cluster:down | cluster:node: a real Kubernetes 1.34 of 1 to 5 worker nodes on
# this machine (3 by default), every binary and image built here from package registries, every component a plain
# process started in the order of "Kubernetes the hard way" / hack/local-up-cluster.sh. Settings and addresses:
# cluster/lib.sh; the nodes: cluster/nodes.sh.
#
#   cluster.sh up [--nodes N] [--no-apps]  idempotent; installs the cluster's tools on first use; one line per step
#                              with its time; --nodes 1..5 (default 3); --no-apps skips the Kafka, RabbitMQ,
#                              smoke-gate runner, Prometheus images
#   cluster.sh status          nodes, system pods, images
#   cluster.sh node <action> <node>  acts on one node as a whole: freeze, thaw, cut, restore, stop, start, remove,
#                              join (<node>: its number or name, e.g. 3 or cluster-node-3)
#   cluster.sh down [--purge]  stops everything and removes every process, mount, netns, iptables rule, ipset and
#                              cgroup it created; --purge also deletes certificates and containerd's image store
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=pki.sh
source "$here/pki.sh"
# shellcheck source=nodes.sh
source "$here/nodes.sh"
export PATH="$KUBERNETES_ROOT/bin:$ETCD_ROOT/bin:$NODE_HOME/bin:$PATH"

STEP_T0=$SECONDS
STEP_N=0
STEP_LABEL=""
STEP_START=0
# A step's function runs under errexit (not in an `if`, where bash would ignore it): the first failing command ends
# the run, and this trap names the step.
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -n "$STEP_LABEL" ]; then
    printf '[%2d] %-34s FAILED after %ss (logs: %s)\n' "$STEP_N" "$STEP_LABEL" "$((SECONDS - STEP_START))" "$LOGS" >&2
  fi
}
trap on_exit EXIT
step() {
  # step <label> <function>: runs it and prints one line with its duration.
  STEP_LABEL="$1" STEP_START=$SECONDS
  shift
  STEP_N=$((STEP_N + 1))
  "$@"
  printf '[%2d] %-34s ok (%ss)\n' "$STEP_N" "$STEP_LABEL" "$((SECONDS - STEP_START))"
  STEP_LABEL=""
}

APPS=true
NODES=$NODES_DEFAULT
tools() {
  # node and npm: cluster/images.ts runs with the pinned Node and tsx (cached when npm run setup ran).
  local steps=(node npm cluster-debian etcd kubernetes coredns kube-router pause)
  # The application images' inputs: the same Kafka jars and RabbitMQ root filesystem as the embedded default, the
  # runner's root filesystem (npm run setup's steps; cached when it ran), and the Kafka image's JRE.
  # Prometheus: the toolchain's Go build of the server (charts/prometheus).
  $APPS && steps+=(jre-rootfs kafka rabbitmq-rootfs runner-rootfs prometheus)
  bash "$REPO_ROOT/toolchain/setup.sh" "${steps[@]}" 2>&1 | sed 's/^/     /'
  [ "${PIPESTATUS[0]}" -eq 0 ]
}

images() {
  local kinds=(--system)
  $APPS && kinds+=(--apps)
  node --import tsx "$here/images.ts" "${kinds[@]}" 2>&1 | sed 's/^/     /'
  [ "${PIPESTATUS[0]}" -eq 0 ]
}

host_network() {
  # The cluster's bridge: the control plane's address (the kubelets refuse a loopback one) and every node's veth.
  if ! ip link show "$CP_IF" >/dev/null 2>&1; then
    ip link add "$CP_IF" type bridge
  fi
  ip addr replace "$CP_IP/24" dev "$CP_IF"
  ip link set "$CP_IF" up
  # Remember the settings the kubelets change, once, so `down` can put them back.
  mkdir -p "$CLUSTER_RUN"
  if [ ! -f "$CLUSTER_RUN/host-sysctls" ]; then
    local s
    for s in "${KUBELET_SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")" >>"$CLUSTER_RUN/host-sysctls"; done
  fi
  # The guard: nothing that comes from the cluster's bridge is forwarded anywhere else by this machine (nodes talk
  # to each other across the bridge, and route their pods themselves). In mangle, before every filter chain.
  iptables -w -t mangle -N MP-CLUSTER-GUARD 2>/dev/null || true
  iptables -w -t mangle -C MP-CLUSTER-GUARD -i "$CP_IF" ! -o "$CP_IF" -j DROP 2>/dev/null \
    || iptables -w -t mangle -A MP-CLUSTER-GUARD -i "$CP_IF" ! -o "$CP_IF" -j DROP
  iptables -w -t mangle -C MP-CLUSTER-GUARD -s "$CLUSTER_CIDR" ! -o "$CP_IF" -j DROP 2>/dev/null \
    || iptables -w -t mangle -A MP-CLUSTER-GUARD -s "$CLUSTER_CIDR" ! -o "$CP_IF" -j DROP
  iptables -w -t mangle -C FORWARD -j MP-CLUSTER-GUARD 2>/dev/null || iptables -w -t mangle -I FORWARD 1 -j MP-CLUSTER-GUARD
  # The Service range is translated only inside the nodes (kube-proxy); from the machine itself a Service IP would
  # follow the default route off the machine. Unreachable here instead: a command on the machine fails at once.
  ip route replace unreachable "$SERVICE_CIDR"
  # containerd and the kubelets need mount propagation (kind and k3d do the same).
  mount --make-rshared /
}

start_etcd() {
  mkdir -p "$CLUSTER_DIR/etcd"
  chmod 700 "$CLUSTER_DIR/etcd"
  start_process etcd "$ETCD_ROOT/bin/etcd" --name cluster-etcd --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "cluster-etcd=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381 \
    --log-level warn --quota-backend-bytes 2147483648
  wait_for 30 "etcd /health" curl -sf http://127.0.0.1:2381/health
}

start_apiserver() {
  start_process kube-apiserver "$KUBERNETES_ROOT/bin/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 --advertise-address="$CP_IP" --bind-address="$CP_IP" --secure-port=6443 \
    --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
    --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/kube-apiserver.crt" --tls-private-key-file="$PKI/kube-apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" --api-audiences=https://kubernetes.default.svc.cluster.local \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true \
    --profiling=false --v=1
  wait_for 60 "kube-apiserver /readyz" kc get --raw /readyz
}

start_controller_manager() {
  start_process kube-controller-manager "$KUBERNETES_ROOT/bin/kube-controller-manager" \
    --kubeconfig="$PKI/kube-controller-manager.kubeconfig" --bind-address=127.0.0.1 \
    --authentication-kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
    --use-service-account-credentials=true --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=false --cluster-cidr="$CLUSTER_CIDR" \
    --leader-elect=false --profiling=false --v=1
  wait_for 60 "kube-controller-manager /healthz" curl -skf https://127.0.0.1:10257/healthz
}

start_scheduler() {
  start_process kube-scheduler "$KUBERNETES_ROOT/bin/kube-scheduler" \
    --kubeconfig="$PKI/kube-scheduler.kubeconfig" --bind-address=127.0.0.1 \
    --authentication-kubeconfig="$PKI/kube-scheduler.kubeconfig" --authorization-kubeconfig="$PKI/kube-scheduler.kubeconfig" \
    --leader-elect=false --profiling=false --v=1
  wait_for 60 "kube-scheduler /healthz" curl -skf https://127.0.0.1:10259/healthz
}

# The nodes, each step over every node (cluster/nodes.sh does one node).
each_node() {
  local f="$1" n
  for n in $(seq 1 "$NODES"); do "$f" "$n"; done
}
nodes_network() { each_node node_cgroups; each_node node_network; node_routes; }
# Every node present gets the images just built, a node joined since `up` (node-lost's replacement) too: a pod there
# would otherwise run the image it was joined with (seen 2026-12-07: the gate on cluster-node-4 ran older code).
nodes_images() {
  local n
  each_node node_import_images
  for n in $(nodes_present); do
    if [ "$n" -gt "$NODES" ]; then node_import_images "$n"; fi
  done
}
nodes_kubelets() { each_node node_kubelet; each_node node_pod_cidr_spec; }
nodes_kube_proxies() { each_node node_kube_proxy; each_node node_kube_proxy_ready; }
nodes_reclaimers() { each_node node_reclaimer; }

apply_manifest() {
  local f="$1"
  COREDNS_IMAGE="$COREDNS_IMAGE" KUBE_ROUTER_IMAGE="$KUBE_ROUTER_IMAGE" DNS_SERVICE_IP="$DNS_SERVICE_IP" \
    SERVICE_CIDR="$SERVICE_CIDR" PKI="$PKI" VOLUME_COUNT="$VOLUME_COUNT" VOLUMES_DIR="$VOLUMES_DIR" \
    fill_template "$f" | kc apply -f - >/dev/null
}

addons() {
  # CoreDNS was a Deployment before it ran on every node: a cluster started before that keeps none of it.
  # Foreground: its pods are gone before the DaemonSet's are scheduled (theirs kept them off with anti-affinity).
  kc -n kube-system delete deployment/coredns poddisruptionbudget/coredns --ignore-not-found --cascade=foreground >/dev/null
  apply_manifest "$here/manifests/coredns.yaml"
  apply_manifest "$here/manifests/kube-router.yaml"
  apply_manifest "$here/manifests/storage.yaml"
  local n pvs=""
  for n in $(seq 1 "$NODES"); do
    pvs+="$(node_volumes_yaml "$n")
"
  done
  # Create only the missing ones (a bound volume's spec is immutable): AlreadyExists is expected, any other error fails.
  local out unexpected
  if ! out="$(kc create -f - --save-config=false 2>&1 <<<"$pvs")"; then
    unexpected="$(unexpected_create_output <<<"$out")"
    if [ -n "$unexpected" ]; then
      echo "cluster volumes: kubectl create failed: $unexpected" >&2
      return 1
    fi
  fi
}

wait_ready() {
  each_node node_ready
  wait_for 120 "CoreDNS ready" kc -n kube-system rollout status daemonset/coredns --timeout=2s
  wait_for 120 "kube-router running" kc -n kube-system rollout status daemonset/kube-router --timeout=2s
}

# check_size: a running cluster is never half-changed: another --nodes than it was started with is refused, with
# the way to resize.
check_size() {
  local have
  have="$(cat "$CLUSTER_RUN/size" 2>/dev/null || true)"
  if [ -n "$have" ] && [ "$have" != "$NODES" ] && running kube-apiserver; then
    echo "cluster up: a $have-node cluster is running; to resize it to $NODES nodes: npm run cluster:down, then npm run cluster:up -- --nodes $NODES" >&2
    exit 2
  fi
}

record_size() { mkdir -p "$CLUSTER_RUN" && echo "$NODES" >"$CLUSTER_RUN/size"; }

up() {
  check_size
  echo "cluster up: $CLUSTER_DIR ($NODES nodes; control plane at $CP_IP)"
  step "tools (lazy install)" tools
  step "images" images
  step "certificates and kubeconfigs" make_pki
  step "node certificates" each_node node_pki
  step "host network ($CP_IF, guard)" host_network
  record_size
  step "etcd $ETCD_VERSION" start_etcd
  step "kube-apiserver" start_apiserver
  step "kube-controller-manager" start_controller_manager
  step "kube-scheduler" start_scheduler
  step "node namespaces, cgroups, routes" nodes_network
  step "containerd $CONTAINERD_DEBIAN per node" each_node node_containerd
  step "image import per node" nodes_images
  step "kubelets" nodes_kubelets
  step "kube-proxy per node (iptables)" nodes_kube_proxies
  step "CoreDNS, kube-router, StorageClass" addons
  step "volume reclaimer per node" nodes_reclaimers
  step "nodes Ready, system pods Ready" wait_ready
  echo "cluster up: done in $((SECONDS - STEP_T0))s; kubeconfig $KUBECONFIG_ADMIN"
}

status() {
  if ! running kube-apiserver; then
    echo "cluster: not running (no kube-apiserver; $CLUSTER_DIR)"
    return 3
  fi
  local c n
  printf '%-40s %s\n' COMPONENT PID
  for c in "${COMPONENTS[@]}"; do
    if running "$c"; then printf '%-40s %s\n' "$c" "$(cat "$(pidfile "$c")")"; else printf '%-40s %s\n' "$c" "not running"; fi
  done
  for n in $(nodes_present); do
    for c in "${NODE_COMPONENTS[@]}"; do
      c="$(node_name "$n")/$c"
      if running "$c"; then printf '%-40s %s\n' "$c" "$(cat "$(pidfile "$c")")"; else printf '%-40s %s\n' "$c" "not running"; fi
    done
  done
  echo
  kc get nodes -o wide -L topology.kubernetes.io/zone
  echo
  kc get pods -A -o wide
  echo
  n="$(nodes_present | head -1)"
  [ -n "$n" ] && ctrk "$n" images ls | awk 'NR == 1 {print "IMAGE", "SIZE"} NR > 1 && $1 !~ /^sha256:/ {print $1, $4 $5}' | column -t
  return 0
}

# node <action> <node>: one node as a whole; the node must exist (join: must not).
node_action() {
  local action="$1" n="${2#cluster-node-}"
  if ! [[ "$n" =~ ^[1-9][0-9]*$ ]] || [ "$n" -gt "$NODES_MAX" ]; then
    usage "node: <node> must be a node number from 1 to $NODES_MAX or its name cluster-node-N (got: ${2:-nothing})"
  fi
  if ! running kube-apiserver; then
    echo "cluster node: no cluster is running: npm run cluster:up first" >&2
    exit 2
  fi
  local present=false
  nodes_present | grep -qx "$n" && present=true
  if [ "$action" = join ] && $present; then
    echo "cluster node join: $(node_name "$n") is already in the cluster (remove it first)" >&2
    exit 2
  fi
  if [ "$action" != join ] && ! $present; then
    echo "cluster node $action: $(node_name "$n") is not in the cluster (nodes: $(nodes_present | xargs))" >&2
    exit 2
  fi
  case "$action" in
    join) step "join $(node_name "$n")" node_join "$n" ;;
    *) step "$action $(node_name "$n")" "node_$action" "$n" ;;
  esac
}

source "$here/teardown.sh"

# Sourced (tests, debugging): functions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

USAGE="usage: cluster/cluster.sh up [--nodes N] [--no-apps] | status | node <freeze|thaw|cut|restore|stop|start|remove|join> <node> | down [--purge]"
usage() {
  [ -z "${1:-}" ] || echo "cluster/cluster.sh: $1" >&2
  echo "$USAGE" >&2
  exit 2
}

# up's flags, all checked before anything runs.
parse_up() {
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --no-apps) APPS=false ;;
      --nodes)
        [ "$#" -ge 2 ] || usage "up: --nodes needs a number from 1 to $NODES_MAX"
        if ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$((10#$2))" -lt 1 ] || [ "$((10#$2))" -gt "$NODES_MAX" ]; then
          usage "up: --nodes must be a whole number from 1 to $NODES_MAX (got: $2)"
        fi
        NODES=$((10#$2))
        shift ;;
      *) usage "up takes only --nodes N and --no-apps (got: $1)" ;;
    esac
    shift
  done
}

# Every command line checked before anything runs: an unknown command, flag or argument prints the usage, exit 2.
cmd="${1:-}"; shift || true
case "$cmd" in
  up) parse_up "$@"; up ;;
  status) [ "$#" -eq 0 ] || usage "status takes no arguments (got: $*)"; status ;;
  node)
    [ "$#" -eq 2 ] || usage "node takes an action and a node (got: ${*:-nothing})"
    case "$1" in freeze|thaw|cut|restore|stop|start|remove|join) ;; *) usage "node: $1 is not an action (actions: freeze, thaw, cut, restore, stop, start, remove, join)" ;; esac
    node_action "$1" "$2" ;;
  down) [ "$#" -eq 0 ] || { [ "$#" -eq 1 ] && [ "$1" = "--purge" ]; } || usage "down takes only --purge (got: $*)"; down "$@" ;;
  -h|--help|help) echo "$USAGE"; exit 0 ;;
  "") usage "no command given" ;;
  *) usage "$cmd is not a command (commands: up, status, node, down)" ;;
esac
