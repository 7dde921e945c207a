# librdkafka, the C client most Kafka applications outside the JVM use, through @confluentinc/kafka-javascript. npm
# installs the package without its install script (that script downloads a prebuilt binary from a site this machine
# cannot reach); the tarball ships librdkafka's sources, so this step builds them, linked against Debian's OpenSSL and
# zlib (steps/debian-tools.sh), with node-gyp pointed at the pinned Node's headers (no header download). The build
# lives in the cache keyed by package and Node version; a fresh clone's node_modules gets a copy in a second.
PKG_DIR="$REPO_ROOT/node_modules/@confluentinc/kafka-javascript"
STEP_REGISTRY=npm STEP_PACKAGE="@confluentinc/kafka-javascript" STEP_VERSION="$KAFKA_JAVASCRIPT_VERSION"
step_outputs() { printf '%s\n' "$LIBRDKAFKA_BUILD" "$LIBRDKAFKA_BUILD.tmp" "$PKG_DIR/build"; }
step_inputs() { echo "kafka-javascript $KAFKA_JAVASCRIPT_VERSION node $NODE_VERSION"; hash_files "$TOOLCHAIN_DIR/steps/librdkafka.sh"; }
step_check() {
  # The binding must be built for the pinned Node: node-gyp records the headers' module version in config.gypi.
  "$NODE_HOME/bin/node" -e '
    const dir = process.argv[1];
    const gypi = require("node:fs").readFileSync(`${dir}/build/config.gypi`, "utf8");
    const read = (key) => new RegExp(`["\x27]${key}["\x27]: *["\x27]?([^"\x27,\n]*)`).exec(gypi)?.[1];
    const built = read("node_module_version"), wanted = process.versions.modules;
    if (built !== wanted) {
      console.error(`the binding was built for NODE_MODULE_VERSION ${built} (headers from ${read("nodedir")}); the pinned Node ${process.version} needs ${wanted}`);
      process.exit(1);
    }
    const k = require(dir);
    const missing = ["ssl", "sasl_scram", "lz4"].filter((f) => !k.features.includes(f));
    if (missing.length) { console.error(`librdkafka ${k.librdkafkaVersion} lacks ${missing}`); process.exit(1); }
    console.log(`librdkafka ${k.librdkafkaVersion} for NODE_MODULE_VERSION ${built}: ${k.features.join(" ")}`);' "$PKG_DIR"
}
# node-gyp configure in the current directory (a copy of the package), against the pinned Node's headers whatever the
# machine's npm configuration says. npm exports every key of it (~/.npmrc, /etc/npmrc, /usr/etc/npmrc) to the scripts
# it runs as npm_config_*, and node-gyp lets those variables override its own command line: a user's `nodedir=/usr`
# built the binding against Debian's Node 20 headers. So none of them reaches node-gyp, and nodedir is ours.
drop_npm_config() {
  local v
  for v in $(compgen -e); do
    case "${v,,}" in npm_config_*) unset "$v" ;; esac
  done
}
configure_binding() {
  drop_npm_config
  npm_config_nodedir="$NODE_HOME" "$NODE_HOME/bin/node" "$REPO_ROOT/node_modules/node-gyp/bin/node-gyp.js" configure --nodedir="$NODE_HOME"
}
build() {
  local src="$LIBRDKAFKA_BUILD.tmp/src"
  drop_npm_config
  rm -rf "$LIBRDKAFKA_BUILD.tmp"
  mkdir -p "$LIBRDKAFKA_BUILD.tmp"
  cp -a "$PKG_DIR" "$src"
  rm -rf "$src/build"
  cd "$src"
  export CKJS_LINKING=dynamic
  # The binding.gyp asks node for `nan`, a dependency npm installed next to the package, not under this copy.
  export NODE_PATH="$REPO_ROOT/node_modules"
  # librdkafka first, two jobs: left to node-gyp it runs `make -j` (unbounded) straight after its own configure, and
  # that first build fails on this machine about one time in two.
  node util/configure || fail debian "libssl-dev zlib1g-dev" bookworm "librdkafka's configure failed"
  make -j 2 -C deps/librdkafka libs install-subdirs || fail npm @confluentinc/kafka-javascript "$KAFKA_JAVASCRIPT_VERSION" "building librdkafka failed"
  configure_binding || fail npm @confluentinc/kafka-javascript "$KAFKA_JAVASCRIPT_VERSION" "node-gyp configure failed"
  "$NODE_HOME/bin/node" "$REPO_ROOT/node_modules/node-gyp/bin/node-gyp.js" build -j 2 \
    || fail npm @confluentinc/kafka-javascript "$KAFKA_JAVASCRIPT_VERSION" "building the Node binding failed"
  mkdir -p "$LIBRDKAFKA_BUILD.tmp/Release" "$LIBRDKAFKA_BUILD.tmp/deps"
  cp build/Release/confluent-kafka-javascript.node build/config.gypi "$LIBRDKAFKA_BUILD.tmp/Release/"
  cp -P build/deps/librdkafka*.so* "$LIBRDKAFKA_BUILD.tmp/deps/"
  cd /
  rm -rf "$src"
  rm -rf "$LIBRDKAFKA_BUILD"
  mv "$LIBRDKAFKA_BUILD.tmp" "$LIBRDKAFKA_BUILD"
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
  cp "$LIBRDKAFKA_BUILD/Release/config.gypi" "$PKG_DIR/build/"
  cp -P "$LIBRDKAFKA_BUILD"/deps/librdkafka*.so* "$PKG_DIR/build/deps/"
}
