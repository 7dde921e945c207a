# A Java runtime in a Debian root filesystem of its own (bookworm, the machine's suite; minbase + OpenJDK 17 JRE
# headless, which Kafka 4.x supports): the base of the cluster's Kafka image (cluster/images.ts), as the official
# apache/kafka image is a JRE plus /opt/kafka. Installed by the first `cluster up --apps`, not by `npm run setup`.
STEP_REGISTRY=debian STEP_PACKAGE="$JRE_PACKAGE" STEP_VERSION="$JRE_SUITE"
step_outputs() { printf '%s\n' "$JRE_ROOTFS" "$JRE_ROOTFS.tmp"; }
step_inputs() { echo "jre-rootfs $JRE_SUITE $JRE_PACKAGE"; }
step_check() {
  # (java itself cannot run in a bare chroot: it finds its libraries through /proc/self/exe)
  [ -x "$JRE_ROOTFS/usr/lib/jvm/java-17-openjdk-amd64/bin/java" ] && [ -f "$JRE_ROOTFS/usr/lib/jvm/java-17-openjdk-amd64/lib/libjli.so" ]
}
step_install() {
  rm -rf "$JRE_ROOTFS.tmp"
  mmdebstrap --variant=minbase --include="$JRE_PACKAGE" --mode=root \
    "$JRE_SUITE" "$JRE_ROOTFS.tmp" "$(debian_mirror | head -1)" \
    || fail debian "$JRE_PACKAGE" "$JRE_SUITE" "mmdebstrap failed"
  rm -rf "$JRE_ROOTFS.tmp/var/cache/apt/archives"/*.deb "$JRE_ROOTFS.tmp/var/lib/apt/lists"/*
  rm -rf "$JRE_ROOTFS" && mv "$JRE_ROOTFS.tmp" "$JRE_ROOTFS"
}
