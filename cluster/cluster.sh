#!/usr/bin/env bash
# npm run cluster:up | cluster:status | cluster:down: a real single-node Kubernetes 1.34 on this machine, every binary
# and image built here from package registries, every component a plain process started in the order of
# "Kubernetes the hard way" / hack/local-up-cluster.sh. Settings and addresses: cluster/lib.sh.
#
#   cluster.sh up [--no-apps]  idempotent; installs the cluster's tools on first use; one line per step with its time;
#                              --no-apps skips the Kafka, RabbitMQ and smoke-gate runner images
#   cluster.sh status          nodes, system pods, images
#   cluster.sh down [--purge]  stops everything and removes every process, mount, netns, iptables rule, ipset and
#                              cgroup it created; --purge also deletes certificates and containerd's image store
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=pki.sh
source "$here/pki.sh"
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
tools() {
  # node and npm: cluster/images.ts runs with the pinned Node and tsx (cached when npm run setup ran).
  local steps=(node npm cluster-debian etcd kubernetes coredns kube-router pause)
  # The application images' inputs: the same Kafka jars and RabbitMQ root filesystem as the embedded default, the
  # runner's root filesystem (npm run setup's steps; cached when it ran), and the Kafka image's JRE.
  $APPS && steps+=(jre-rootfs kafka rabbitmq-rootfs runner-rootfs)
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
  # The node's address on an interface of its own (the kubelet refuses a loopback node IP): a bridge with no ports,
  # since this kernel has no dummy interfaces.
  if ! ip link show "$NODE_IF" >/dev/null 2>&1; then
    ip link add "$NODE_IF" type bridge
  fi
  ip addr replace "$NODE_IP/24" dev "$NODE_IF"
  ip link set "$NODE_IF" up
  # Remember the settings this changes, once, so `down` can put them back.
  mkdir -p "$CLUSTER_RUN"
  if [ ! -f "$CLUSTER_RUN/host-sysctls" ]; then
    sysctl -n net.ipv4.ip_forward | sed 's/^/net.ipv4.ip_forward=/' >"$CLUSTER_RUN/host-sysctls"
    local s
    for s in "${KUBELET_SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")" >>"$CLUSTER_RUN/host-sysctls"; done
  fi
  # Pod → Service → pod on the same bridge is routed (the ClusterIP is DNATed after the pod sent it to its gateway).
  sysctl -qw net.ipv4.ip_forward=1
  # The guard: nothing from the pod CIDR is forwarded anywhere but back onto the pod bridge. In mangle, so it runs
  # before every filter chain kube-proxy and kube-router insert (which ACCEPT what their rules allow).
  iptables -w -t mangle -N MP-CLUSTER-GUARD 2>/dev/null || true
  iptables -w -t mangle -C MP-CLUSTER-GUARD -s "$CLUSTER_CIDR" ! -o "$POD_BRIDGE" -j DROP 2>/dev/null \
    || iptables -w -t mangle -A MP-CLUSTER-GUARD -s "$CLUSTER_CIDR" ! -o "$POD_BRIDGE" -j DROP
  iptables -w -t mangle -C FORWARD -j MP-CLUSTER-GUARD 2>/dev/null || iptables -w -t mangle -I FORWARD 1 -j MP-CLUSTER-GUARD
  # containerd and the kubelet need mount propagation (kind and k3d do the same).
  mount --make-rshared /
}

start_etcd() {
  mkdir -p "$CLUSTER_DIR/etcd"
  chmod 700 "$CLUSTER_DIR/etcd"
  start_process etcd "$ETCD_ROOT/bin/etcd" --name "$NODE_NAME" --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381 \
    --log-level warn --quota-backend-bytes 2147483648
  wait_for 30 "etcd /health" curl -sf http://127.0.0.1:2381/health
}

start_apiserver() {
  start_process kube-apiserver "$KUBERNETES_ROOT/bin/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 --advertise-address="$NODE_IP" --bind-address="$NODE_IP" --secure-port=6443 \
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
    --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=true --cluster-cidr="$CLUSTER_CIDR" \
    --node-cidr-mask-size=24 --leader-elect=false --profiling=false --v=1
  wait_for 60 "kube-controller-manager /healthz" curl -skf https://127.0.0.1:10257/healthz
}

start_scheduler() {
  start_process kube-scheduler "$KUBERNETES_ROOT/bin/kube-scheduler" \
    --kubeconfig="$PKI/kube-scheduler.kubeconfig" --bind-address=127.0.0.1 \
    --authentication-kubeconfig="$PKI/kube-scheduler.kubeconfig" --authorization-kubeconfig="$PKI/kube-scheduler.kubeconfig" \
    --leader-elect=false --profiling=false --v=1
  wait_for 60 "kube-scheduler /healthz" curl -skf https://127.0.0.1:10259/healthz
}

start_containerd() {
  mkdir -p "$CLUSTER_DIR/containerd/root" "$CLUSTER_DIR/containerd/opt" "$CLUSTER_DIR/cni/net.d" "$CLUSTER_DIR/cni/ipam"
  write_if_changed "$CLUSTER_DIR/containerd/config.toml" <<EOF
# Written by cluster/cluster.sh: Debian's containerd 1.6 with a root, state and socket of its own (no systemd).
version = 2
root = "$CLUSTER_DIR/containerd/root"
state = "$CLUSTER_RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CLUSTER_RUN/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  # This VM denies lowering oom_score_adj (runc: "failed to update /proc/self/oom_score_adj: Permission denied" for
  # the sandbox's -998): clamp every container's to what containerd itself may set.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_DIR/cni/net.d"
EOF
  # The pod network: a bridge of the project's own, no masquerade, and routes to the node and the Services only.
  write_if_changed "$CLUSTER_DIR/cni/net.d/10-mp-bridge.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "mp-cluster",
  "plugins": [
    {
      "type": "bridge", "bridge": "$POD_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$CLUSTER_DIR/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$POD_GW" }]],
        "routes": [{ "dst": "$SERVICE_CIDR" }, { "dst": "$NODE_NET" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
  start_process containerd containerd --config "$CLUSTER_DIR/containerd/config.toml" --log-level warn
  wait_for 30 "containerd" ctr --address "$CONTAINERD_SOCK" version
}

import_images() {
  # Every archive cluster/images.ts wrote (<archive>.ref: "<image> <manifest digest>"); skip what containerd
  # already holds at that digest.
  local tar ref digest have
  have="$(ctrk images ls | awk 'NR > 1 {print $1, $3}')"
  for tar in "$CLUSTER_DIR"/images/*.tar; do
    read -r ref digest <"$tar.ref" 2>/dev/null || continue
    if grep -qxF "$ref $digest" <<<"$have"; then continue; fi
    ctrk images import "$tar" >/dev/null || return 1
    echo "     imported $ref"
  done
}

start_kubelet() {
  mkdir -p "$CLUSTER_DIR/kubelet"
  write_if_changed "$CLUSTER_DIR/kubelet.yaml" <<EOF
# Written by cluster/cluster.sh (settings from "Kubernetes the hard way" and hack/local-up-cluster.sh).
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
healthzBindAddress: 127.0.0.1
cgroupDriver: cgroupfs          # no systemd here; containerd uses cgroupfs too (SystemdCgroup = false)
cgroupsPerQOS: true
cgroupRoot: /
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
clusterDomain: cluster.local
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: ""                  # pods never see the machine's resolver
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI/kubelet-server.crt
tlsPrivateKeyFile: $PKI/kubelet-server.key
imageGCHighThresholdPercent: 100  # containerd 1.6 cannot pin the pause image; never collect images built here
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
maxPods: 110
serializeImagePulls: false
registerNode: true
EOF
  start_process kubelet "$KUBERNETES_ROOT/bin/kubelet" --config="$CLUSTER_DIR/kubelet.yaml" \
    --kubeconfig="$PKI/kubelet-client.kubeconfig" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" \
    --root-dir="$CLUSTER_DIR/kubelet" --cert-dir="$CLUSTER_DIR/kubelet/pki" --v=1
  wait_for 90 "node $NODE_NAME registered" kc get node "$NODE_NAME"
}

start_kube_proxy() {
  write_if_changed "$CLUSTER_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $PKI/kube-proxy.kubeconfig }
mode: iptables                  # no IPVS in this kernel
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$NODE_IP/32]
iptables: { localhostNodePorts: false, masqueradeAll: false }
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
  start_process kube-proxy "$KUBERNETES_ROOT/bin/kube-proxy" --config="$CLUSTER_DIR/kube-proxy.yaml" --v=1
  wait_for 60 "kube-proxy /healthz" curl -sf http://127.0.0.1:10256/healthz
}

apply_manifest() {
  local f="$1"
  COREDNS_IMAGE="$COREDNS_IMAGE" KUBE_ROUTER_IMAGE="$KUBE_ROUTER_IMAGE" DNS_SERVICE_IP="$DNS_SERVICE_IP" \
    SERVICE_CIDR="$SERVICE_CIDR" PKI="$PKI" VOLUME_COUNT="$VOLUME_COUNT" VOLUMES_DIR="$VOLUMES_DIR" \
    fill_template "$f" | kc apply -f - >/dev/null
}

addons() {
  apply_manifest "$here/manifests/coredns.yaml"
  apply_manifest "$here/manifests/kube-router.yaml"
  apply_manifest "$here/manifests/storage.yaml"
  local i pvs=""
  for i in $(seq -w 0 $((VOLUME_COUNT - 1))); do
    mkdir -p "$VOLUMES_DIR/pv-$i"
    pvs+="---
apiVersion: v1
kind: PersistentVolume
metadata: { name: local-pv-$i, labels: { messaging-platform.io/cluster-volume: \"true\" } }
spec:
  capacity: { storage: $VOLUME_SIZE }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  local: { path: $VOLUMES_DIR/pv-$i }
  nodeAffinity:
    required:
      nodeSelectorTerms: [{ matchExpressions: [{ key: kubernetes.io/hostname, operator: In, values: [$NODE_NAME] }] }]
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
  wait_for 120 "node $NODE_NAME Ready" kc wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
  wait_for 120 "CoreDNS ready" kc -n kube-system rollout status deployment/coredns --timeout=2s
  wait_for 120 "kube-router running" kc -n kube-system rollout status daemonset/kube-router --timeout=2s
}

up() {
  [ "${1:-}" = "--no-apps" ] && APPS=false
  echo "cluster up: $CLUSTER_DIR (node $NODE_NAME at $NODE_IP)"
  step "tools (lazy install)" tools
  step "images" images
  step "certificates and kubeconfigs" make_pki
  step "host network ($NODE_IF, guard)" host_network
  step "etcd $ETCD_VERSION" start_etcd
  step "kube-apiserver" start_apiserver
  step "kube-controller-manager" start_controller_manager
  step "kube-scheduler" start_scheduler
  step "containerd $CONTAINERD_DEBIAN" start_containerd
  step "image import" import_images
  step "kubelet" start_kubelet
  step "kube-proxy (iptables)" start_kube_proxy
  step "CoreDNS, kube-router, StorageClass" addons
  step "volume reclaimer" start_process volume-reclaimer bash "$here/volume-reclaimer.sh"
  step "node Ready, system pods Ready" wait_ready
  echo "cluster up: done in $((SECONDS - STEP_T0))s; kubeconfig $KUBECONFIG_ADMIN"
}

status() {
  if ! running kube-apiserver; then
    echo "cluster: not running (no kube-apiserver; $CLUSTER_DIR)"
    return 3
  fi
  local c
  printf '%-24s %s\n' COMPONENT PID
  for c in "${COMPONENTS[@]}"; do
    if running "$c"; then printf '%-24s %s\n' "$c" "$(cat "$(pidfile "$c")")"; else printf '%-24s %s\n' "$c" "not running"; fi
  done
  echo
  kc get nodes -o wide
  echo
  kc get pods -A -o wide
  echo
  ctrk images ls | awk 'NR == 1 {print "IMAGE", "SIZE"} NR > 1 && $1 !~ /^sha256:/ {print $1, $4 $5}' | column -t
}

source "$here/teardown.sh"

# Sourced (tests, debugging): functions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

usage() {
  [ -z "${1:-}" ] || echo "cluster/cluster.sh: $1" >&2
  echo "usage: cluster/cluster.sh up [--no-apps] | status | down [--purge]" >&2
  exit 2
}

# Every command line checked before anything runs: an unknown command, flag or argument prints the usage, exit 2.
cmd="${1:-}"; shift || true
case "$cmd" in
  up) [ "$#" -eq 0 ] || { [ "$#" -eq 1 ] && [ "$1" = "--no-apps" ]; } || usage "up takes only --no-apps (got: $*)"; up "$@" ;;
  status) [ "$#" -eq 0 ] || usage "status takes no arguments (got: $*)"; status ;;
  down) [ "$#" -eq 0 ] || { [ "$#" -eq 1 ] && [ "$1" = "--purge" ]; } || usage "down takes only --purge (got: $*)"; down "$@" ;;
  -h|--help|help) echo "usage: cluster/cluster.sh up [--no-apps] | status | down [--purge]"; exit 0 ;;
  "") usage "no command given" ;;
  *) usage "$cmd is not a command (commands: up, status, down)" ;;
esac
