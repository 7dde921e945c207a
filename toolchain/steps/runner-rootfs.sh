# The base of the smoke-gate runner image (images/smoke-gate): Debian's minimal root filesystem plus what the pinned
# Node binary links against, the same suite as smoke-tests/Dockerfile's node:*-bookworm-slim. Built with mmdebstrap
# from the machine's own Debian archive; images/ adds Node, the app and its node_modules on top.
RUNNER_PACKAGES=ca-certificates,libstdc++6
STEP_REGISTRY=debian STEP_PACKAGE="$RUNNER_PACKAGES" STEP_VERSION="$RUNNER_SUITE"
step_outputs() { printf '%s\n' "$RUNNER_ROOTFS" "$RUNNER_ROOTFS.tmp"; }
step_inputs() { echo "runner-rootfs $RUNNER_SUITE minbase $RUNNER_PACKAGES"; }
step_check() { chroot "$RUNNER_ROOTFS" dpkg-query -W -f '${Version}\n' libstdc++6 ca-certificates; }
step_install() {
  rm -rf "$RUNNER_ROOTFS.tmp"
  mmdebstrap --variant=minbase --include="$RUNNER_PACKAGES" --mode=root \
    "$RUNNER_SUITE" "$RUNNER_ROOTFS.tmp" "$(debian_mirror | head -1)" \
    || fail debian "$RUNNER_PACKAGES" "$RUNNER_SUITE" "mmdebstrap failed"
  rm -rf "$RUNNER_ROOTFS" && mv "$RUNNER_ROOTFS.tmp" "$RUNNER_ROOTFS"
}
