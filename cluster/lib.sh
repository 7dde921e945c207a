# The cluster's settings and helpers, shared by cluster/cluster.sh and its parts. Sourced, never executed: the shell
# options are its caller's (set -euo pipefail in cluster.sh and volume-reclaimer.sh's own).
#
# A Kubernetes of 1 to 5 worker nodes on this machine (3 by default), every component a plain process (as
# hack/local-up-cluster.sh and "Kubernetes the hard way" run them), every address the project's own:
#   control plane  etcd, kube-apiserver, controller-manager, scheduler on the machine, like a managed control plane;
#                  the API on bridge mpk8s0 at 10.214.0.1 (not 10.213.0.0/24 of the embedded default, not the
#                  machine's 192.0.2.0/24 nor its resolver 10.255.255.53)
#   node N         network namespace mpk8s-node-N, veth mpk8s-vN on mpk8s0, address 10.214.0.(10+N); its own
#                  containerd, kubelet, kube-proxy and cgroup /mp-cluster/cluster-node-N (cluster/nodes.sh)
#   pods           node N's bridge mpcni0 (inside its namespace), 10.244.N.0/24 (cluster CIDR 10.244.0.0/16); pods
#                  have routes to the nodes, the pods and the Service range only: no default route, no masquerade
#   services       10.96.0.0/16, kube-dns at 10.96.0.10, the API at 10.96.0.1 → 10.214.0.1:6443
# Nothing is routed, NATed or resolved off the machine: node namespaces have no default route, a mangle FORWARD
# rule on the machine drops anything from the cluster's bridge that would leave through another interface, and
# CoreDNS has no `forward`.
# shellcheck source=../toolchain/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/toolchain/lib.sh"

CLUSTER_DIR="${MP_CLUSTER_DIR:-$MP_CACHE_ROOT/cluster}"   # certificates, kubeconfigs, data, logs, image archives
CLUSTER_RUN=/run/mp-cluster                                # sockets, containerd state, pid files
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"
KUBECONFIG_ADMIN="$CLUSTER_DIR/admin.kubeconfig"           # what `kubectl`, Pulumi.cluster.yaml and the tests use

CP_IF=mpk8s0                   # the cluster's bridge: the control plane's address, every node's veth
CP_IP=10.214.0.1
NODE_NET=10.214.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
API_URL="https://$CP_IP:6443"

# Nodes: `cluster up --nodes N` (1 to NODES_MAX, NODES_DEFAULT when not given); node N is cluster-node-N in zone
# ZONES[(N-1) % 3]. Everything a node owns is named from its number, here and nowhere else.
NODES_MAX=5
NODES_DEFAULT=3
ZONES=(zone-a zone-b zone-c)
POD_BRIDGE=mpcni0              # inside each node's namespace, so the same name on every node
CGROUP_PARENT=mp-cluster       # /sys/fs/cgroup/<hierarchy>/mp-cluster/<node>
node_name() { echo "cluster-node-$1"; }
node_ip() { echo "10.214.0.$((10 + $1))"; }
node_pod_cidr() { echo "10.244.$1.0/24"; }
node_pod_gw() { echo "10.244.$1.1"; }
node_zone() { echo "${ZONES[$((($1 - 1) % ${#ZONES[@]}))]}"; }
node_netns() { echo "mpk8s-node-$1"; }
node_veth() { echo "mpk8s-v$1"; }  # the machine's end; eth0 inside the node
node_dir() { echo "$CLUSTER_DIR/nodes/$(node_name "$1")"; }
node_run() { echo "$CLUSTER_RUN/$(node_name "$1")"; }
node_sock() { echo "$(node_run "$1")/containerd.sock"; }
node_volumes() { echo "$VOLUMES_DIR/$(node_name "$1")"; }
# in_node <n> <command...>: runs a command in node n's network namespace only (nsenter, not `ip netns exec`, which
# also remounts /sys and hides the cgroup v1 mounts).
in_node() { local n="$1"; shift; nsenter --net="/run/netns/$(node_netns "$n")" -- "$@"; }
# The nodes that exist now (their namespaces), by number.
nodes_present() {
  ip netns list 2>/dev/null | awk '{print $1}' | sed -n 's/^mpk8s-node-\([0-9]\+\)$/\1/p' | sort -n
}

# Images built here (cluster/images.ts), imported into containerd's k8s.io namespace. Versioned tags, never latest.
PAUSE_IMAGE="localhost/pause:$PAUSE_VERSION"
COREDNS_IMAGE="localhost/coredns:$COREDNS_VERSION"
KUBE_ROUTER_IMAGE="localhost/kube-router:$KUBE_ROUTER_VERSION"

# PersistentVolumes: pre-created local volumes per node (cluster/manifests/storage.yaml), each pinned to its node;
# deleted by cluster down.
VOLUMES_DIR="$CLUSTER_DIR/volumes"
VOLUME_COUNT=12                # per node
VOLUME_SIZE=10Gi

KUBECTL="$KUBERNETES_ROOT/bin/kubectl"
kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
# ctrk <n> <ctr args...>: node n's containerd, CRI namespace.
ctrk() { local n="$1"; shift; ctr --address "$(node_sock "$n")" -n k8s.io "$@"; }

# The kernel settings the kubelet changes (container_manager_linux.go setupKernelTunables); cluster down restores them.
KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

# Processes in start order; down stops them in reverse. The control plane's run on the machine; every node runs
# NODE_COMPONENTS (pid files under $CLUSTER_RUN/<node>/).
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)
NODE_COMPONENTS=(containerd kubelet kube-proxy volume-reclaimer)

pidfile() { echo "$CLUSTER_RUN/$1.pid"; }
running() { local p; p="$(cat "$(pidfile "$1")" 2>/dev/null)" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# Starts a component as a session leader in the background (it outlives `cluster up`), output to its log.
start_process() {
  local name="$1"; shift
  mkdir -p "$(dirname "$LOGS/$name")" "$(dirname "$CLUSTER_RUN/$name")"
  if running "$name"; then return 0; fi
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# write_if_changed <file> < content: a running component may watch its config (kube-proxy exits when the file is
# written, even with the same content), so an idempotent `up` leaves an unchanged file alone.
write_if_changed() {
  local file="$1" tmp="$1.new"
  mkdir -p "$(dirname "$file")"
  cat >"$tmp"
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv "$tmp" "$file"; fi
}

# wait_for <seconds> <what> <command...>: polls every 0.5 s; on timeout names what and the log to read.
# fill_template <file>: the file with every ${NAME} replaced by the variable NAME (envsubst, but an unset NAME is an
# error naming it, where envsubst would write an empty string into a manifest).
fill_template() {
  local text out="" name
  text="$(cat "$1" && echo x)" || return 1
  text="${text%x}"
  while [[ $text =~ \$\{([A-Za-z0-9_]+)\} ]]; do
    name="${BASH_REMATCH[1]}"
    if [[ ! -v $name ]]; then
      echo "$1: \${$name} is not set" >&2
      return 1
    fi
    out+="${text%%"${BASH_REMATCH[0]}"*}${!name}"
    text="${text#*"${BASH_REMATCH[0]}"}"
  done
  printf '%s' "$out$text"
}

# kubectl create's output less what `create only the missing ones` expects: objects created and objects that exist
# already (AlreadyExists). Whatever is left is an error.
unexpected_create_output() {
  grep -Ev ' created$|\(AlreadyExists\)' || true
}

wait_for() {
  local secs="$1" what="$2" end; shift 2
  end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$end" ]; then
      echo "cluster: timed out after ${secs}s waiting for $what" >&2
      return 1
    fi
    sleep 0.5
  done
}
