# Node packages from the lockfile, installed with the pinned Node. Install scripts are not run: the only one
# that matters (@pulumi/kubernetes) would try to download a provider plugin, which setup builds instead.
step_inputs() { echo "node $NODE_VERSION"; hash_files "$REPO_ROOT/package-lock.json" "$REPO_ROOT/infra/policy/package-lock.json" 2>/dev/null || hash_files "$REPO_ROOT/package-lock.json"; }
step_check() { [ -x "$REPO_ROOT/node_modules/.bin/jest" ] && [ -d "$REPO_ROOT/node_modules/@pulumi/pulumi" ]; }
step_install() {
  export PATH="$NODE_HOME/bin:$PATH"
  (cd "$REPO_ROOT" && npm ci --ignore-scripts --no-audit --no-fund) || fail npm "package-lock.json" "-" "npm ci failed"
  if [ -f "$REPO_ROOT/infra/policy/package-lock.json" ]; then
    (cd "$REPO_ROOT/infra/policy" && npm ci --ignore-scripts --no-audit --no-fund) || fail npm "infra/policy/package-lock.json" "-" "npm ci failed"
  fi
}
