# CoreDNS built from the Go module proxy through the wrapper module toolchain/go/coredns (its default plugin set;
# the cluster's Corefile uses kubernetes, errors, health, ready, cache, loop, reload and no forward).
STEP_REGISTRY=go-proxy STEP_PACKAGE="github.com/coredns/coredns" STEP_VERSION="v$COREDNS_VERSION"
step_outputs() { printf '%s\n' "$COREDNS_ROOT"; }
step_inputs() { echo "coredns $COREDNS_VERSION"; hash_files "$TOOLCHAIN_DIR/go/coredns/go.sum"; }
step_check() { "$COREDNS_ROOT/bin/coredns" -version | grep "CoreDNS-$COREDNS_VERSION" >/dev/null; }  # no grep -q: SIGPIPE under pipefail
step_install() {
  mkdir -p "$COREDNS_ROOT/bin"
  cd "$TOOLCHAIN_DIR/go/coredns"
  CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "-s -w" -o "$COREDNS_ROOT/bin/coredns" github.com/coredns/coredns \
    || fail go-proxy github.com/coredns/coredns "v$COREDNS_VERSION" "go build failed (wrapper toolchain/go/coredns)"
}
