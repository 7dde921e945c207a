# Host tools from Debian's archive (bookworm, the machine's own suite): mmdebstrap builds the RabbitMQ root
# filesystem, iptables/iproute2 give the embedded nodes their own hosts and real network partitions, runc runs the
# smoke-gate image built in images/ (the OCI runtime that containerd uses under Kubernetes); a C/C++ toolchain with
# OpenSSL and zlib headers builds librdkafka (steps/librdkafka.sh).
DEBIAN_TOOLS=(mmdebstrap iptables iproute2 procps psmisc runc g++ make pkg-config python3 libssl-dev zlib1g-dev)
STEP_REGISTRY=debian STEP_PACKAGE="${DEBIAN_TOOLS[*]}" STEP_VERSION="bookworm"
step_inputs() { echo "${DEBIAN_TOOLS[*]}"; }
step_check() {
  command -v mmdebstrap && command -v iptables && command -v ip && command -v pkill && command -v fuser && command -v runc \
    && command -v g++ && command -v make && command -v python3 && dpkg -s libssl-dev zlib1g-dev >/dev/null
}
step_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail debian "apt-get update" bookworm "cannot read the package lists"
  apt-get install -y -qq --no-install-recommends "${DEBIAN_TOOLS[@]}" || fail debian "${DEBIAN_TOOLS[*]}" bookworm "apt-get install failed"
}
