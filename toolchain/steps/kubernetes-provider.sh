# pulumi-resource-kubernetes, the provider plugin that the lockfile's @pulumi/kubernetes drives, built from the Go
# module github.com/pulumi/pulumi-kubernetes/provider/v4 and installed into PULUMI_HOME as PULUMI_KUBERNETES_VERSION,
# so `pulumi plugin ls` lists it and the engine never tries to download it.
#
# Why a pseudo-version: the repository tags its releases v4.X.Y at its root, and Go maps only tags named
# provider/v4.X.Y to this sub-directory module, so every @v4.X.Y is refused. The proxy serves the release commit as a
# pseudo-version (PULUMI_KUBERNETES_PROVIDER_MODULE in versions.env). Three things the module zip lacks are made here:
#   - its go.mod replaces sdk/v4 with ../sdk (a sibling directory, not in the zip): drop the replace, so the required
#     sdk/v4 version (served) is used;
#   - cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json: generate.go writes both;
#   - the version is stamped with -ldflags, as upstream's Makefile does.
PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
STEP_REGISTRY=go-proxy STEP_PACKAGE="github.com/pulumi/pulumi-kubernetes/provider/v4" STEP_VERSION="$PULUMI_KUBERNETES_PROVIDER_MODULE"
# Free disk its cold build needs (Go's module and build caches, its work directories): it grew by 9.3 GiB at its peak,
# cold, in setup's order (the Go steps before it had filled what they share), on 2026-12-07.
STEP_DISK_MIB=11000
step_outputs() { printf '%s\n' "$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_VERSION" "$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_VERSION.lock" "$MP_CACHE/build/pulumi-kubernetes"; }
step_inputs() { echo "$PROVIDER_MODULE@$PULUMI_KUBERNETES_PROVIDER_MODULE as $PULUMI_KUBERNETES_VERSION"; }
step_check() {
  [ -x "$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_VERSION/pulumi-resource-kubernetes" ] \
    && PULUMI_HOME="$PULUMI_HOME_DIR" "$PULUMI_ROOT/bin/pulumi" plugin ls | grep -E "^kubernetes +resource +$PULUMI_KUBERNETES_VERSION "
}
step_install() {
  export PATH="$NODE_HOME/bin:$PATH" GOFLAGS=-mod=mod
  local locked; locked="$(node -e "console.log(require('$REPO_ROOT/package-lock.json').packages['node_modules/@pulumi/kubernetes'].version)")"
  [ "$locked" = "$PULUMI_KUBERNETES_VERSION" ] \
    || fail npm @pulumi/kubernetes "$locked" "the lockfile's version differs from PULUMI_KUBERNETES_VERSION=$PULUMI_KUBERNETES_VERSION in toolchain/versions.env"
  local mod="$PROVIDER_MODULE@$PULUMI_KUBERNETES_PROVIDER_MODULE" scratch="$MP_CACHE/build/pulumi-kubernetes" dir
  dir="$(cd /tmp && go mod download -json "$mod" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})')" \
    || fail go-proxy "$PROVIDER_MODULE" "$PULUMI_KUBERNETES_PROVIDER_MODULE" "go mod download failed (see the lines above)"
  # A writable copy outside the repo: the module cache is read-only, and nothing built here is committed.
  rm -rf "$scratch" && mkdir -p "$(dirname "$scratch")" && cp -r "$dir" "$scratch" && chmod -R u+w "$scratch"
  cd "$scratch"
  go mod edit -dropreplace github.com/pulumi/pulumi-kubernetes/sdk/v4 \
    || fail go-proxy "$PROVIDER_MODULE" "$PULUMI_KUBERNETES_PROVIDER_MODULE" "go mod edit -dropreplace sdk/v4 failed"
  (cd cmd/pulumi-resource-kubernetes && VERSION="v$PULUMI_KUBERNETES_VERSION" go run ./generate.go) \
    || fail go-proxy "$PROVIDER_MODULE" "$PULUMI_KUBERNETES_PROVIDER_MODULE" "generating the embedded schema (generate.go) failed"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $PROVIDER_MODULE/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" \
    -o bin/pulumi-resource-kubernetes ./cmd/pulumi-resource-kubernetes \
    || fail go-proxy "$PROVIDER_MODULE" "$PULUMI_KUBERNETES_PROVIDER_MODULE" "go build of cmd/pulumi-resource-kubernetes failed"
  PULUMI_HOME="$PULUMI_HOME_DIR" "$PULUMI_ROOT/bin/pulumi" plugin install resource kubernetes "v$PULUMI_KUBERNETES_VERSION" \
    --file bin/pulumi-resource-kubernetes \
    || fail go-proxy "$PROVIDER_MODULE" "$PULUMI_KUBERNETES_PROVIDER_MODULE" "pulumi plugin install failed"
  # The 167 MB binary now lives in PULUMI_HOME; keep the module copy small.
  rm -rf "$scratch/bin"
}
