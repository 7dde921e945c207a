# The Pulumi CLI (github.com/pulumi/pulumi/pkg/v3) built from the Go module proxy through the wrapper module
# toolchain/go/pulumi, the project's Node.js language host (same module, see its main.go for why), and the
# policy analyzer shim that `--policy-pack` needs for a Node.js pack.
STEP_REGISTRY=go-proxy STEP_PACKAGE="github.com/pulumi/pulumi/pkg/v3" STEP_VERSION="v$PULUMI_VERSION"
# Free disk its cold build needs (Go's module and build caches, its work directories): it grew by 4.7 GiB at its peak,
# cold, on 2026-12-07.
STEP_DISK_MIB=6000
step_outputs() { printf '%s\n' "$PULUMI_ROOT"; }
step_inputs() { echo "pulumi $PULUMI_VERSION"; hash_files "$TOOLCHAIN_DIR/go/pulumi/go.sum" "$TOOLCHAIN_DIR"/go/pulumi/cmd/*/*.go; }
step_check() {
  "$PULUMI_ROOT/bin/pulumi" version | grep -qx "v$PULUMI_VERSION" \
    && [ -x "$PULUMI_ROOT/bin/pulumi-language-nodejs" ] && [ -x "$PULUMI_ROOT/bin/pulumi-analyzer-policy" ]
}
step_install() {
  local ld="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  mkdir -p "$PULUMI_ROOT/bin"
  cd "$TOOLCHAIN_DIR/go/pulumi"
  CGO_ENABLED=0 go build -trimpath -tags osusergo -ldflags "$ld" -o "$PULUMI_ROOT/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    || fail go-proxy github.com/pulumi/pulumi/pkg/v3 "v$PULUMI_VERSION" "go build of cmd/pulumi failed"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -o "$PULUMI_ROOT/bin/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs \
    || fail go-proxy github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_VERSION" "go build of the Node.js language host failed"
  # What upstream ships as sdk/nodejs/dist/pulumi-analyzer-policy: run @pulumi/pulumi's policy-pack runner
  # from the pack's own directory (the engine starts it there).
  cat >"$PULUMI_ROOT/bin/pulumi-analyzer-policy" <<'SH'
#!/bin/sh
exec node "$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")" "$@"
SH
  chmod 755 "$PULUMI_ROOT/bin/pulumi-analyzer-policy"
}
