# Node packages from the lockfile, installed with the pinned Node. Install scripts are not run: the only one
# that matters (@pulumi/kubernetes) would try to download a provider plugin, which setup builds instead.
# Why `npm install` and not `npm ci`: the registry here does not serve some optional platform packages
# (e.g. @biomejs/cli-android-arm64), which npm leaves out of the lockfile, and `npm ci` then refuses the
# lockfile as out of sync. `npm install` resolves exactly the locked versions; we check it changed nothing.
step_inputs() { echo "node $NODE_VERSION"; hash_files "$REPO_ROOT/package-lock.json"; }
step_check() { [ -x "$REPO_ROOT/node_modules/.bin/jest" ] && [ -d "$REPO_ROOT/node_modules/@pulumi/pulumi" ]; }
step_install() {
  export PATH="$NODE_HOME/bin:$PATH"
  cd "$REPO_ROOT"
  local before; before="$(hash_files package-lock.json)"
  npm install --ignore-scripts --no-audit --no-fund || fail npm "package-lock.json" "-" "npm install from the lockfile failed"
  [ "$(hash_files package-lock.json)" = "$before" ] \
    || fail npm "package-lock.json" "-" "npm changed the lockfile: commit the new package-lock.json or revert package.json"
}
