# etcd 3.6 built from the Go module proxy through the wrapper module toolchain/go/etcd (etcdmain.Main).
STEP_REGISTRY=go-proxy STEP_PACKAGE="go.etcd.io/etcd/server/v3" STEP_VERSION="v$ETCD_VERSION"
step_outputs() { printf '%s\n' "$ETCD_ROOT"; }
step_inputs() { echo "etcd $ETCD_VERSION"; hash_files "$TOOLCHAIN_DIR/go/etcd/go.sum" "$TOOLCHAIN_DIR/go/etcd/main.go"; }
step_check() { "$ETCD_ROOT/bin/etcd" --version | grep "etcd Version: $ETCD_VERSION" >/dev/null; }  # no grep -q: SIGPIPE under pipefail
step_install() {
  mkdir -p "$ETCD_ROOT/bin"
  cd "$TOOLCHAIN_DIR/go/etcd"
  CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "-s -w" -o "$ETCD_ROOT/bin/etcd" . \
    || fail go-proxy go.etcd.io/etcd/server/v3 "v$ETCD_VERSION" "go build failed (wrapper toolchain/go/etcd)"
}
