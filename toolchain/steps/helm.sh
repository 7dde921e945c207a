# helm and kubeconform, built from the Go module proxy through the wrapper module toolchain/go/helm.
STEP_REGISTRY=go-proxy STEP_PACKAGE="helm.sh/helm/v3" STEP_VERSION="v$HELM_VERSION"
# Free disk its cold build needs (Go's module and build caches, its work directories): it grew by 1.2 GiB at its peak,
# cold, in setup's order (the Go steps before it had filled what they share), on 2026-12-07.
STEP_DISK_MIB=1500
step_outputs() { printf '%s\n' "$HELM_ROOT"; }
step_inputs() { echo "helm $HELM_VERSION kubeconform $KUBECONFORM_VERSION"; hash_files "$TOOLCHAIN_DIR/go/helm/go.sum"; }
step_check() {
  "$HELM_ROOT/bin/helm" version --short | grep -q "v$HELM_VERSION" && "$HELM_ROOT/bin/kubeconform" -v
}
step_install() {
  mkdir -p "$HELM_ROOT/bin"
  cd "$TOOLCHAIN_DIR/go/helm"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
    -o "$HELM_ROOT/bin/helm" helm.sh/helm/v3/cmd/helm || fail go-proxy helm.sh/helm/v3 "v$HELM_VERSION" "go build failed"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$HELM_ROOT/bin/kubeconform" github.com/yannh/kubeconform/cmd/kubeconform \
    || fail go-proxy github.com/yannh/kubeconform "v$KUBECONFORM_VERSION" "go build failed"
}
