# The cluster's worker nodes: each node N is a host of its own on this machine (settings: cluster/lib.sh):
#   network   namespace mpk8s-node-N, eth0 at 10.214.0.(10+N) on the cluster's bridge mpk8s0 (veth mpk8s-vN), routes to
#             the control plane, the Service range and every other node's pods; no default route
#   processes containerd (own root, state, socket, CNI network), kubelet (own root dir, cgroup root, pod logs dir,
#             certificates, node name and IP), kube-proxy, the volume reclaimer: all in cgroup
#             /mp-cluster/cluster-node-N of every v1 hierarchy, with its pods, so the node can be frozen as a whole
#   pods      bridge mpcni0 in the node's namespace, 10.244.N.0/24
#   disks     local volumes under volumes/cluster-node-N, pinned to the node
# And what can be done to a node as a whole (issue 22's faults): freeze/thaw, cut/restore its network, stop/start,
# remove and join. Sourced by cluster.sh, under its set -euo pipefail.

# The v1 hierarchies a node's cgroup lives in (all mounted ones; the kubelet requires its cgroup root in each).
cgroup_hierarchies() {
  local h
  for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [ "$h" = /sys/fs/cgroup/unified ] && continue
    [ -f "$h/cgroup.procs" ] && echo "$h"
  done
}

node_cgroup() { echo "$CGROUP_PARENT/$(node_name "$1")"; }

# node_cgroups <n>: /mp-cluster/<node>/daemons in every hierarchy (pods go to /mp-cluster/<node>/kubepods, made by
# the kubelet). A new v1 cpuset cgroup has no CPUs or memory nodes: copy its parent's, or no process may join.
node_cgroups() {
  local h rel d
  for h in $(cgroup_hierarchies); do
    d="$h"
    for rel in "$CGROUP_PARENT" "$(node_name "$1")" daemons; do
      d="$d/$rel"
      [ -d "$d" ] || mkdir "$d"
      if [ -f "$d/cpuset.cpus" ] && [ -z "$(cat "$d/cpuset.cpus")" ]; then
        cat "$(dirname "$d")/cpuset.cpus" >"$d/cpuset.cpus"
        cat "$(dirname "$d")/cpuset.mems" >"$d/cpuset.mems"
      fi
    done
  done
}

# Every process of node n: its daemons, their shims and its pods (the pids hierarchy holds them all).
node_pids() {
  local d="/sys/fs/cgroup/pids/$(node_cgroup "$1")"
  [ -d "$d" ] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
  return 0
}

node_network() {
  local n="$1" ns veth
  ns="$(node_netns "$n")" veth="$(node_veth "$n")"
  ip netns list | awk '{print $1}' | grep -qxF "$ns" || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  ip link set "$veth" master "$CP_IF" up
  in_node "$n" ip link set lo up
  in_node "$n" ip addr replace "$(node_ip "$n")/24" dev eth0
  in_node "$n" ip link set eth0 up
  # The node routes its pods' traffic (pod → Service → pod on another node).
  in_node "$n" sysctl -qw net.ipv4.ip_forward=1
  # The Service range goes to the control plane's address until kube-proxy's DNAT (in this namespace) rewrites it:
  # a locally sent packet needs a route before it reaches the nat table.
  in_node "$n" ip route replace "$SERVICE_CIDR" via "$CP_IP" dev eth0
}

# The routes between the nodes' pod CIDRs, in every node and on the machine (the control plane reaches pods, and
# answers them, through their node): recomputed whenever a node joins or leaves.
node_routes() {
  local n m present
  present="$(nodes_present)"
  for n in $present; do
    ip route replace "$(node_pod_cidr "$n")" via "$(node_ip "$n")" dev "$CP_IF"
    for m in $present; do
      [ "$m" = "$n" ] && continue
      in_node "$n" ip route replace "$(node_pod_cidr "$m")" via "$(node_ip "$m")" dev eth0
    done
  done
  # Routes to nodes that left.
  for m in $(seq 1 "$NODES_MAX"); do
    grep -qx "$m" <<<"$present" && continue
    ip route del "$(node_pod_cidr "$m")" 2>/dev/null || true
    for n in $present; do in_node "$n" ip route del "$(node_pod_cidr "$m")" 2>/dev/null || true; done
  done
  return 0
}

# node_forget_address <n>: the machine and every other node forget node n's link address: a node joined again under
# its number has a new eth0 (a new MAC), and a stale neighbour entry would send to the old one until it expires.
node_forget_address() {
  local n="$1" m
  ip neigh flush to "$(node_ip "$n")" dev "$CP_IF" 2>/dev/null || true
  for m in $(nodes_present); do
    [ "$m" = "$n" ] || in_node "$m" ip neigh flush to "$(node_ip "$n")" dev eth0 2>/dev/null || true
  done
}

# node_start_process <n> <component> <command...>: a node's daemon, started in the node's cgroup and namespace.
node_start_process() {
  local n="$1" c="$2"
  shift 2
  start_process "$(node_name "$n")/$c" bash "$here/node-exec.sh" "$(node_cgroup "$n")" "$(node_netns "$n")" "$@"
}

node_running() { running "$(node_name "$1")/$2"; }

node_containerd() {
  local n="$1" dir run sock
  dir="$(node_dir "$n")" run="$(node_run "$n")" sock="$(node_sock "$n")"
  mkdir -p "$dir/containerd/root" "$dir/containerd/opt" "$dir/cni/net.d" "$dir/cni/ipam" "$run"
  write_if_changed "$dir/containerd/config.toml" <<EOF
# Written by cluster/nodes.sh: Debian's containerd 1.6 for $(node_name "$n"), with a root, state and socket of its own
# (no systemd).
version = 2
root = "$dir/containerd/root"
state = "$run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
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
    conf_dir = "$dir/cni/net.d"
EOF
  # The node's pod network: a bridge in the node's namespace, its own network name and lease directory (host-local
  # keeps leases per network name), no masquerade, routes to the nodes, the pods and the Services only.
  write_if_changed "$dir/cni/net.d/10-mp-bridge.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "mp-$(node_name "$n")",
  "plugins": [
    {
      "type": "bridge", "bridge": "$POD_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$dir/cni/ipam",
        "ranges": [[{ "subnet": "$(node_pod_cidr "$n")", "gateway": "$(node_pod_gw "$n")" }]],
        "routes": [{ "dst": "$SERVICE_CIDR" }, { "dst": "$NODE_NET" }, { "dst": "$CLUSTER_CIDR" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
  node_start_process "$n" containerd containerd --config "$dir/containerd/config.toml" --log-level warn
  wait_for 30 "containerd of $(node_name "$n")" ctr --address "$sock" version
}

node_import_images() {
  # Every archive cluster/images.ts wrote (<archive>.ref: "<image> <manifest digest>"); skip what the node's
  # containerd already holds at that digest.
  local n="$1" tar ref digest have
  have="$(ctrk "$n" images ls | awk 'NR > 1 {print $1, $3}')"
  for tar in "$CLUSTER_DIR"/images/*.tar; do
    read -r ref digest <"$tar.ref" 2>/dev/null || continue
    if grep -qxF "$ref $digest" <<<"$have"; then continue; fi
    ctrk "$n" images import "$tar" >/dev/null || return 1
    echo "     $(node_name "$n"): imported $ref"
  done
}

node_kubelet() {
  local n="$1" dir name ip
  dir="$(node_dir "$n")" name="$(node_name "$n")" ip="$(node_ip "$n")"
  mkdir -p "$dir/kubelet" "$dir/pod-logs"
  write_if_changed "$dir/kubelet.yaml" <<EOF
# Written by cluster/nodes.sh (settings from "Kubernetes the hard way" and hack/local-up-cluster.sh).
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
healthzBindAddress: 127.0.0.1   # the node's own loopback
cgroupDriver: cgroupfs          # no systemd here; containerd uses cgroupfs too (SystemdCgroup = false)
cgroupsPerQOS: true
# Kubelets sharing a machine remove each other's pods unless each has its own cgroup root, and each other's logs
# unless each has its own pod logs directory (shared/reference/node-failures.md §1).
cgroupRoot: /$(node_cgroup "$n")
podLogsDir: $dir/pod-logs
failSwapOn: false
containerRuntimeEndpoint: unix://$(node_sock "$n")
clusterDomain: cluster.local
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: ""                  # pods never see the machine's resolver
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI/$name-kubelet-server.crt
tlsPrivateKeyFile: $PKI/$name-kubelet-server.key
imageGCHighThresholdPercent: 100  # containerd 1.6 cannot pin the pause image; never collect images built here
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
maxPods: 110
serializeImagePulls: false
registerNode: true
EOF
  node_start_process "$n" kubelet "$KUBERNETES_ROOT/bin/kubelet" --config="$dir/kubelet.yaml" \
    --kubeconfig="$PKI/$name-kubelet-client.kubeconfig" --hostname-override="$name" --node-ip="$ip" \
    --node-labels="topology.kubernetes.io/zone=$(node_zone "$n"),topology.kubernetes.io/region=local" \
    --root-dir="$dir/kubelet" --cert-dir="$dir/kubelet/pki" --v=1
}

# The node's pod CIDR on its Node object (what the CNI configuration above uses; the controller-manager allocates
# none, so the numbering stays the node's own). Settable once, while empty.
node_pod_cidr_spec() {
  local n="$1" name have
  name="$(node_name "$n")"
  wait_for 90 "node $name registered" kc get node "$name"
  have="$(kc get node "$name" -o jsonpath='{.spec.podCIDR}')"
  [ -n "$have" ] || kc patch node "$name" --type merge -p "{\"spec\":{\"podCIDR\":\"$(node_pod_cidr "$n")\",\"podCIDRs\":[\"$(node_pod_cidr "$n")\"]}}" >/dev/null
}

node_kube_proxy() {
  local n="$1" dir name ip
  dir="$(node_dir "$n")" name="$(node_name "$n")" ip="$(node_ip "$n")"
  write_if_changed "$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $PKI/kube-proxy.kubeconfig }
mode: iptables                  # no IPVS in this kernel
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: $name
bindAddress: $ip
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$ip/32]
iptables: { localhostNodePorts: false, masqueradeAll: false }
# maxPerCore 0: kube-proxy would otherwise write the machine-wide nf_conntrack_max, which a namespace may not.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
  node_start_process "$n" kube-proxy "$KUBERNETES_ROOT/bin/kube-proxy" --config="$dir/kube-proxy.yaml" --v=1
}

node_kube_proxy_ready() {
  wait_for 60 "kube-proxy /healthz on $(node_name "$1")" in_node "$1" curl -sf http://127.0.0.1:10256/healthz
}

# node_volume_yaml <n> <i>: node n's local volume i (its directory made here), pinned to the node: a pod bound to it
# stays with its data, as on a local SSD.
node_volume_yaml() {
  local n="$1" i="$2" name dir
  name="$(node_name "$n")" dir="$(node_volumes "$n")"
  mkdir -p "$dir/pv-$i"
  echo "---
apiVersion: v1
kind: PersistentVolume
metadata: { name: $name-pv-$i, labels: { messaging-platform.io/cluster-volume: \"true\", messaging-platform.io/cluster-node: $name } }
spec:
  capacity: { storage: $VOLUME_SIZE }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  local: { path: $dir/pv-$i }
  nodeAffinity:
    required:
      nodeSelectorTerms: [{ matchExpressions: [{ key: kubernetes.io/hostname, operator: In, values: [$name] }] }]"
}
node_volume_numbers() { seq -w 0 $((VOLUME_COUNT - 1)); }
node_volumes_yaml() {
  local i
  for i in $(node_volume_numbers); do node_volume_yaml "$1" "$i"; done
}

# node_create_volumes <n>: the node's PersistentVolumes. One of a removed node of the same name that a claim still
# holds (Terminating) names a directory that is gone: a pod bound to it would wait for ever, so the join waits a
# minute for it to go and otherwise fails naming the claim to release (node-lost releases every claim of its node).
volume_gone() { ! kc get pv "$1" >/dev/null 2>&1; }
node_create_volumes() {
  local n="$1" i name claim
  for i in $(node_volume_numbers); do
    name="$(node_name "$n")-pv-$i"
    if ! volume_gone "$name" && ! wait_for 60 "the removed node's volume $name to go" volume_gone "$name"; then
      claim="$(kc get pv "$name" -o jsonpath='{.spec.claimRef.namespace}/{.spec.claimRef.name}' 2>/dev/null || true)"
      echo "cluster: $(node_name "$n") cannot join: PersistentVolume $name of a removed node of that name is still held by claim ${claim:-(none)}; delete that claim (its disk is gone) and join again" >&2
      return 1
    fi
    node_volume_yaml "$n" "$i" | kc create -f - --save-config=false >/dev/null
  done
}

node_reclaimer() {
  node_start_process "$1" volume-reclaimer bash "$here/volume-reclaimer.sh" "$(node_name "$1")" "$(node_volumes "$1")"
}

node_ready() {
  wait_for 120 "node $(node_name "$1") Ready" kc wait --for=condition=Ready "node/$(node_name "$1")" --timeout=2s
}

# node_join <n>: a new, empty node n in a running cluster (what `up` does for each node, one node at a time).
node_join() {
  local n="$1"
  node_pki "$n"
  node_cgroups "$n"
  node_network "$n"
  node_routes
  node_forget_address "$n"
  node_containerd "$n"
  node_import_images "$n"
  node_kubelet "$n"
  node_pod_cidr_spec "$n"
  node_kube_proxy "$n"
  node_kube_proxy_ready "$n"
  node_create_volumes "$n"
  node_reclaimer "$n"
  node_ready "$n"
}

# --- A node as a whole --------------------------------------------------------------------------------------------

# Freezing the node's cgroup stops every process of it at once (kubelet, containerd, shims, kube-proxy, pods): its
# TCP stack still answers, as a hung machine's does; combine with `cut` for a silent node.
node_freeze() { node_freezer_state "$1" FROZEN; }
node_thaw() { node_freezer_state "$1" THAWED; }
node_freezer_state() {
  local f="/sys/fs/cgroup/freezer/$(node_cgroup "$1")/freezer.state" i
  echo "$2" >"$f"
  for i in $(seq 1 100); do
    [ "$(cat "$f")" = "$2" ] && return 0
    sleep 0.1
  done
  echo "cluster: $(node_name "$1") did not reach $2 within 10 s (freezer.state $(cat "$f"))" >&2
  return 1
}

# Cutting the node's network at its own interface (the machine's end of its veth): nothing in or out, silently
# (no RST, no ICMP), for the control plane, the other nodes and their pods alike.
node_cut() { ip link set "$(node_veth "$1")" down; }
node_restore() { ip link set "$(node_veth "$1")" up; }

# Stopping a node is pulling its power: every process of it killed at once (thawed first: a frozen task dies only
# once thawed); its disks, namespace and Node object stay, so `node_start` boots it again.
node_stop() {
  local n="$1" p c i
  [ "$(cat "/sys/fs/cgroup/freezer/$(node_cgroup "$n")/freezer.state" 2>/dev/null)" = THAWED ] || node_thaw "$n" || true
  for i in 1 2 3 4 5; do
    for p in $(node_pids "$n"); do kill -KILL "$p" 2>/dev/null || true; done
    [ -z "$(node_pids "$n")" ] && break
    sleep 0.5
  done
  for c in "${NODE_COMPONENTS[@]}"; do rm -f "$(pidfile "$(node_name "$n")/$c")"; done
  [ -z "$(node_pids "$n")" ] || { echo "cluster: $(node_name "$n") still has processes: $(node_pids "$n" | xargs)" >&2; return 1; }
}

node_start() {
  local n="$1"
  node_containerd "$n"
  node_kubelet "$n"
  node_kube_proxy "$n"
  node_kube_proxy_ready "$n"
  node_reclaimer "$n"
  node_ready "$n"
}

# Removing a node loses it with its disks: stopped, its Node object deleted (its pods go with it), its volumes'
# PersistentVolumes deleted (each stays Terminating while a claim holds it), then everything it had on the machine.
node_remove() {
  local n="$1" name
  name="$(node_name "$n")"
  node_stop "$n"
  kc delete node "$name" --ignore-not-found --wait=false >/dev/null
  kc delete pv -l "messaging-platform.io/cluster-node=$name" --wait=false >/dev/null
  node_teardown "$n"
  node_routes
  node_forget_address "$n"
}

# Everything node n has on the machine (its processes must be gone): mounts, namespace, link, cgroups, files.
node_teardown() {
  local n="$1" dir m h
  dir="$(node_dir "$n")"
  findmnt -rn -o TARGET | grep -E "^($dir|$(node_volumes "$n")|$(node_run "$n"))/" | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  ip link del "$(node_veth "$n")" 2>/dev/null || true
  ip netns delete "$(node_netns "$n")" 2>/dev/null || true
  # Its pods' namespaces: with the node's namespace gone, their veths went too, so a pod namespace without eth0 was one
  # of this node's.
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep '^cni-' || true); do
    ip -n "$ns" link show eth0 >/dev/null 2>&1 || ip netns delete "$ns" 2>/dev/null || true
  done
  for h in $(cgroup_hierarchies) /sys/fs/cgroup/unified; do
    [ -d "$h/$(node_cgroup "$n")" ] && find "$h/$(node_cgroup "$n")" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -rf "$dir" "$(node_volumes "$n")" "$(node_run "$n")"
  return 0
}
