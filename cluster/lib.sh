# The cluster's settings and helpers, shared by cluster/cluster.sh and its parts. Sourced, never executed: the shell
# options are its caller's (set -euo pipefail in cluster.sh and volume-reclaimer.sh's own).
#
# One single-node Kubernetes on this machine, every component a plain process (as hack/local-up-cluster.sh and
# "Kubernetes the hard way" run them), every address the project's own:
#   node        bridge mpk8s0 (no ports; the kernel has no dummy links), 10.214.0.1/24 (not 10.213.0.0/24 of the embedded default, not the
#               machine's 192.0.2.0/24 nor its resolver 10.255.255.53)
#   pods        bridge mpcni0, 10.244.0.0/24 (cluster CIDR 10.244.0.0/16); pods have routes to the node and the
#               Service range only, no default route, no masquerade
#   services    10.96.0.0/16, kube-dns at 10.96.0.10, the API at 10.96.0.1 → 10.214.0.1:6443
# Nothing is routed, NATed or resolved off the machine: a mangle FORWARD rule drops anything from the pod CIDR that
# would leave through another interface than mpcni0, and CoreDNS has no `forward`.
# shellcheck source=../toolchain/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/toolchain/lib.sh"

CLUSTER_DIR="${MP_CLUSTER_DIR:-$MP_CACHE_ROOT/cluster}"   # certificates, kubeconfigs, data, logs, image archives
CLUSTER_RUN=/run/mp-cluster                                # sockets, containerd state, pid files
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"
KUBECONFIG_ADMIN="$CLUSTER_DIR/admin.kubeconfig"           # what `kubectl`, Pulumi.cluster.yaml and the tests use
CONTAINERD_SOCK="$CLUSTER_RUN/containerd.sock"

NODE_NAME=cluster-node-0
NODE_IF=mpk8s0
NODE_IP=10.214.0.1
NODE_NET=10.214.0.0/24
POD_BRIDGE=mpcni0
CLUSTER_CIDR=10.244.0.0/16
POD_CIDR=10.244.0.0/24
POD_GW=10.244.0.1
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
API_URL="https://$NODE_IP:6443"

# Images built here (cluster/images.ts), imported into containerd's k8s.io namespace. Versioned tags, never latest.
PAUSE_IMAGE="localhost/pause:$PAUSE_VERSION"
COREDNS_IMAGE="localhost/coredns:$COREDNS_VERSION"
KUBE_ROUTER_IMAGE="localhost/kube-router:$KUBE_ROUTER_VERSION"

# PersistentVolumes: pre-created local volumes (cluster/manifests/storage.yaml), deleted by cluster down.
VOLUMES_DIR="$CLUSTER_DIR/volumes"
VOLUME_COUNT=12
VOLUME_SIZE=10Gi

KUBECTL="$KUBERNETES_ROOT/bin/kubectl"
kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctrk() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

# The kernel settings the kubelet changes (container_manager_linux.go setupKernelTunables); cluster down restores them.
KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

# Processes in start order; down stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy volume-reclaimer)

pidfile() { echo "$CLUSTER_RUN/$1.pid"; }
running() { local p; p="$(cat "$(pidfile "$1")" 2>/dev/null)" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# Starts a component as a session leader in the background (it outlives `cluster up`), output to its log.
start_process() {
  local name="$1"; shift
  mkdir -p "$LOGS" "$CLUSTER_RUN"
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
