# The cluster's host packages from Debian's archive (bookworm, the machine's own suite): containerd 1.6 with runc
# (started by cluster/ with its own root, state and socket: no systemd), the CNI plugins (bridge, host-local,
# loopback, portmap), ipset and conntrack for kube-proxy and the NetworkPolicy controller, openssl for the cluster's
# certificates. Installed by the first `npm run cluster:up`, not by `npm run setup`.
CLUSTER_DEBIAN=(containerd runc containernetworking-plugins iptables ipset conntrack openssl iproute2 gcc libc6-dev busybox-static)
STEP_REGISTRY=debian STEP_PACKAGE="${CLUSTER_DEBIAN[*]}" STEP_VERSION="bookworm"
step_inputs() { echo "${CLUSTER_DEBIAN[*]} containerd=$CONTAINERD_DEBIAN"; }
step_check() {
  containerd --version | grep " v\?$CONTAINERD_DEBIAN" >/dev/null && command -v ctr && command -v runc && command -v ipset \
    && command -v conntrack && command -v openssl && [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] \
    && [ -x /usr/lib/cni/loopback ] && [ -x /usr/lib/cni/portmap ] && [ -f /usr/lib/x86_64-linux-gnu/libc.a ] && [ -x /bin/busybox ]
}
step_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail debian "apt-get update" bookworm "cannot read the package lists"
  apt-get install -y -qq --no-install-recommends "${CLUSTER_DEBIAN[@]}" \
    || fail debian "${CLUSTER_DEBIAN[*]}" bookworm "apt-get install failed"
}
