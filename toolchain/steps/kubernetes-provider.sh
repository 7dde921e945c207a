# pulumi-resource-kubernetes at exactly the version that the lockfile's @pulumi/kubernetes asks for, built from
# github.com/pulumi/pulumi-kubernetes/provider/v4 and installed into PULUMI_HOME so `pulumi plugin ls` lists it.
#
# BLOCKED (2026-11-24): the Go module proxy answers "403 This module version is not available" for that module at
# every version that npm publishes (4.0.0 ... 4.34.2). The step still tries, so the day the proxy serves it the
# plugin appears; until then it prints BLOCKED and the rest of the toolchain is unaffected.
STEP_BLOCKED_BY="the Go module proxy does not serve this module; see toolchain/steps/kubernetes-provider.sh"
PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
lock_version() { node -e "console.log(require('$REPO_ROOT/node_modules/@pulumi/kubernetes/package.json').version)"; }
step_inputs() { echo "$PROVIDER_MODULE@v$PULUMI_KUBERNETES_VERSION"; }
step_check() { ls "$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_VERSION/pulumi-resource-kubernetes"; }
step_install() {
  export PATH="$NODE_HOME/bin:$PATH"
  local want; want="$(lock_version)"
  [ "$want" = "$PULUMI_KUBERNETES_VERSION" ] || fail npm @pulumi/kubernetes "$want" "lockfile version differs from PULUMI_KUBERNETES_VERSION=$PULUMI_KUBERNETES_VERSION in toolchain/versions.env"
  local scratch="$MP_CACHE/build/pulumi-kubernetes-$want" dir
  if ! dir="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$PROVIDER_MODULE@v$want" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})')"; then
    fail go-proxy "$PROVIDER_MODULE" "v$want" "module not served by the Go module proxy"
  fi
  # The provider embeds a generated schema: build from a writable copy outside the repo, never committed.
  rm -rf "$scratch" && mkdir -p "$(dirname "$scratch")" && cp -r "$dir" "$scratch" && chmod -R u+w "$scratch"
  (cd "$scratch/cmd/pulumi-resource-kubernetes" && [ -f schema-embed.json ] || VERSION="v$want" go run ./generate.go) \
    || fail go-proxy "$PROVIDER_MODULE" "v$want" "schema generation failed"
  (cd "$scratch" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $PROVIDER_MODULE/pkg/version.Version=$want" -o "$scratch/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes) \
    || fail go-proxy "$PROVIDER_MODULE" "v$want" "go build failed"
  PULUMI_HOME="$PULUMI_HOME_DIR" "$PULUMI_ROOT/bin/pulumi" plugin install resource kubernetes "v$want" --file "$scratch/bin/pulumi-resource-kubernetes"
}
