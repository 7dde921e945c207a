# librdkafka, the C client most Kafka applications outside the JVM use, through @confluentinc/kafka-javascript. npm
# installs the package without its install script (that script downloads a prebuilt binary from a site this machine
# cannot reach); the tarball ships librdkafka's sources, so this step builds them, linked against Debian's OpenSSL and
# zlib (steps/debian-tools.sh), with node-gyp pointed at the pinned Node's headers (no header download). The build
# lives in the cache keyed by package and Node version; a fresh clone's node_modules gets a copy in a second.
PKG_DIR="$REPO_ROOT/node_modules/@confluentinc/kafka-javascript"
step_inputs() { echo "kafka-javascript $KAFKA_JAVASCRIPT_VERSION node $NODE_VERSION"; }
step_check() {
  "$NODE_HOME/bin/node" -e '
    const k = require(process.argv[1]);
    const missing = ["ssl", "sasl_scram", "lz4"].filter((f) => !k.features.includes(f));
    if (missing.length) { console.error(`librdkafka ${k.librdkafkaVersion} lacks ${missing}`); process.exit(1); }
    console.log(`librdkafka ${k.librdkafkaVersion}: ${k.features.join(" ")}`);' "$PKG_DIR"
}
build() {
  local src="$LIBRDKAFKA_BUILD.tmp/src" node_gyp="$REPO_ROOT/node_modules/node-gyp/bin/node-gyp.js"
  rm -rf "$LIBRDKAFKA_BUILD.tmp" && mkdir -p "$LIBRDKAFKA_BUILD.tmp" && cp -a "$PKG_DIR" "$src"
  cd "$src"
  export CKJS_LINKING=dynamic
  # The binding.gyp asks node for `nan`, a dependency npm installed next to the package, not under this copy.
  export NODE_PATH="$REPO_ROOT/node_modules"
  # librdkafka first, two jobs: left to node-gyp it runs `make -j` (unbounded) straight after its own configure, and
  # that first build fails on this machine about one time in two.
  node util/configure || fail debian "libssl-dev zlib1g-dev" bookworm "librdkafka's configure failed"
  make -j 2 -C deps/librdkafka libs install-subdirs || fail npm @confluentinc/kafka-javascript "$KAFKA_JAVASCRIPT_VERSION" "building librdkafka failed"
  node "$node_gyp" configure --nodedir="$NODE_HOME" \
    && node "$node_gyp" build -j 2 \
    || fail npm @confluentinc/kafka-javascript "$KAFKA_JAVASCRIPT_VERSION" "building the Node binding failed"
  mkdir -p "$LIBRDKAFKA_BUILD.tmp/Release" "$LIBRDKAFKA_BUILD.tmp/deps"
  cp build/Release/confluent-kafka-javascript.node "$LIBRDKAFKA_BUILD.tmp/Release/"
  cp -P build/deps/librdkafka*.so* "$LIBRDKAFKA_BUILD.tmp/deps/"
  cd / && rm -rf "$src"
  rm -rf "$LIBRDKAFKA_BUILD" && mv "$LIBRDKAFKA_BUILD.tmp" "$LIBRDKAFKA_BUILD"
}
step_install() {
  export PATH="$NODE_HOME/bin:$PATH"
  local have
  have="$(node -p 'require(process.argv[1]).version' "$PKG_DIR/package.json" 2>/dev/null || true)"
  [ "$have" = "$KAFKA_JAVASCRIPT_VERSION" ] \
    || fail npm @confluentinc/kafka-javascript "$KAFKA_JAVASCRIPT_VERSION" "node_modules holds '${have:-nothing}': run the npm step first, and keep package.json and versions.env on one version"
  [ -f "$LIBRDKAFKA_BUILD/Release/confluent-kafka-javascript.node" ] || build
  # The binding finds librdkafka through its RUNPATH, $ORIGIN/../deps: the same layout as the package's own build.
  mkdir -p "$PKG_DIR/build/Release" "$PKG_DIR/build/deps"
  cp "$LIBRDKAFKA_BUILD/Release/confluent-kafka-javascript.node" "$PKG_DIR/build/Release/"
  cp -P "$LIBRDKAFKA_BUILD"/deps/librdkafka*.so* "$PKG_DIR/build/deps/"
}
