# Node packages from the lockfile, installed with the pinned Node. Install scripts are not run: the only one that
# matters (@pulumi/kubernetes) would try to download a provider plugin, which setup builds instead.
#
# Registry drift: the registry may serve optional platform packages one day that it did not serve the day before
# (npm leaves an optional package it cannot fetch out of the lockfile, and records it once it can). So setup does not
# compare the lockfile's bytes. It relies on two npm behaviours instead:
#   - `npm install` with a lockfile installs the locked version of every package whose locked version still
#     satisfies package.json (it resolves nothing anew), and skips optional packages for another os/cpu/libc;
#   - `--no-save` (save=false) never writes package.json or package-lock.json.
# and then checks what matters: every package that applies to this machine is installed at its locked version and
# nothing unlocked is installed (toolchain/src/installed-packages.ts).
STEP_REGISTRY=npm STEP_PACKAGE="package-lock.json" STEP_VERSION="-"
step_outputs() { printf '%s\n' "$REPO_ROOT/node_modules"; }
step_inputs() { echo "node $NODE_VERSION"; hash_files "$REPO_ROOT/package-lock.json" "$TOOLCHAIN_DIR/src/installed-packages.ts"; }
step_check() {
  [ -x "$REPO_ROOT/node_modules/.bin/jest" ] && [ -d "$REPO_ROOT/node_modules/@pulumi/pulumi" ] \
    && "$NODE_HOME/bin/node" --import tsx "$TOOLCHAIN_DIR/src/installed-packages.ts" "$REPO_ROOT"
}
step_install() {
  export PATH="$NODE_HOME/bin:$PATH"
  cd "$REPO_ROOT"
  npm install --ignore-scripts --no-save --no-audit --no-fund || fail npm "package-lock.json" "-" "npm install from the lockfile failed"
  node --import tsx "$TOOLCHAIN_DIR/src/installed-packages.ts" "$REPO_ROOT" \
    || fail npm "package-lock.json" "-" "node_modules differs from the lockfile (above); run 'npm install --package-lock-only --ignore-scripts' and commit package-lock.json"
}
