# kube-router built from the Go module proxy through the wrapper module toolchain/go/kube-router. cluster/ runs only
# its NetworkPolicy controller (--run-firewall, ingress and egress, with iptables + ipset).
STEP_REGISTRY=go-proxy STEP_PACKAGE="github.com/cloudnativelabs/kube-router/v2" STEP_VERSION="v$KUBE_ROUTER_VERSION"
step_outputs() { printf '%s\n' "$KUBE_ROUTER_ROOT"; }
step_inputs() { echo "kube-router $KUBE_ROUTER_VERSION"; hash_files "$TOOLCHAIN_DIR/go/kube-router/go.sum"; }
step_check() { "$KUBE_ROUTER_ROOT/bin/kube-router" --version 2>&1 | grep "v$KUBE_ROUTER_VERSION" >/dev/null; }  # no grep -q: SIGPIPE under pipefail
step_install() {
  mkdir -p "$KUBE_ROUTER_ROOT/bin"
  cd "$TOOLCHAIN_DIR/go/kube-router"
  CGO_ENABLED=0 nice -n 10 go build -trimpath \
    -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v$KUBE_ROUTER_VERSION -X github.com/cloudnativelabs/kube-router/v2/pkg/version.BuildDate=module-proxy" \
    -o "$KUBE_ROUTER_ROOT/bin/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
    || fail go-proxy github.com/cloudnativelabs/kube-router/v2 "v$KUBE_ROUTER_VERSION" "go build failed (wrapper toolchain/go/kube-router)"
}
