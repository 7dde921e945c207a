# RabbitMQ 4.x from Debian's archive, in its own root filesystem (the host is bookworm, whose 3.10 is too old;
# sid serves 4.x). Built with mmdebstrap; the embedded environment runs nodes from it with chroot.
# sid's Release file can be past Valid-Until on the mirror, hence the apt option.
STEP_REGISTRY=debian STEP_PACKAGE="rabbitmq-server" STEP_VERSION="$RABBITMQ_SUITE"
step_outputs() { printf '%s\n' "$RABBITMQ_ROOTFS" "$RABBITMQ_ROOTFS.tmp"; }
step_inputs() { echo "rabbitmq-server $RABBITMQ_SUITE $RABBITMQ_VERSION"; }
step_check() {
  local v; v="$(chroot "$RABBITMQ_ROOTFS" dpkg-query -W -f '${Version}' rabbitmq-server)"
  case "$v" in 4.*) echo "rabbitmq-server $v";; *) echo "rabbitmq-server $v is not 4.x"; return 1;; esac
}
step_install() {
  rm -rf "$RABBITMQ_ROOTFS.tmp"
  mmdebstrap --variant=apt --include=rabbitmq-server,procps,iproute2 \
    --aptopt='Acquire::Check-Valid-Until "false"' --mode=root \
    "$RABBITMQ_SUITE" "$RABBITMQ_ROOTFS.tmp" "$(debian_mirror | head -1)" \
    || fail debian rabbitmq-server "$RABBITMQ_SUITE ($RABBITMQ_VERSION expected)" "mmdebstrap failed"
  # Services never start inside the build; nodes are started by the embedded environment.
  rm -rf "$RABBITMQ_ROOTFS" && mv "$RABBITMQ_ROOTFS.tmp" "$RABBITMQ_ROOTFS"
  local v; v="$(chroot "$RABBITMQ_ROOTFS" dpkg-query -W -f '${Version}' rabbitmq-server)"
  [ "${v%%-*}" = "$RABBITMQ_VERSION" ] || echo "note: $RABBITMQ_SUITE now serves rabbitmq-server $v (pinned expectation $RABBITMQ_VERSION)"
}
