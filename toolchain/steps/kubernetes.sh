# Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl) built from the Go
# module proxy through the wrapper module toolchain/go/kubernetes: static (CGO_ENABLED=0), no cloud providers
# (-tags providerless), version-stamped as upstream's hack/lib/version.sh does. One `go build` for all six, niced:
# the machine has 2 cores and other work runs beside it. Cold about 20-30 min, warm (Go build cache) about 2-5 min.
K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
STEP_REGISTRY=go-proxy STEP_PACKAGE="k8s.io/kubernetes" STEP_VERSION="v$KUBERNETES_VERSION"
step_outputs() { printf '%s\n' "$KUBERNETES_ROOT"; }
step_inputs() { echo "kubernetes $KUBERNETES_VERSION ${K8S_BINS[*]}"; hash_files "$TOOLCHAIN_DIR/go/kubernetes/go.sum"; }
step_check() {
  local b
  for b in "${K8S_BINS[@]}"; do
    [ "$b" = kubectl ] || "$KUBERNETES_ROOT/bin/$b" --version | grep "v$KUBERNETES_VERSION" >/dev/null || return 1
  done
  "$KUBERNETES_ROOT/bin/kubectl" version --client | grep "v$KUBERNETES_VERSION" >/dev/null
}
step_install() {
  local v="v$KUBERNETES_VERSION" minor x p ld=() pkgs=()
  minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    for x in "gitVersion=$v" gitMajor=1 "gitMinor=$minor" gitTreeState=clean; do ld+=("-X $p.$x"); done
  done
  for x in "${K8S_BINS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$x"); done
  mkdir -p "$KUBERNETES_ROOT/bin.tmp"
  cd "$TOOLCHAIN_DIR/go/kubernetes"
  CGO_ENABLED=0 nice -n 10 go build -trimpath -tags providerless -ldflags "-s -w ${ld[*]}" -o "$KUBERNETES_ROOT/bin.tmp/" "${pkgs[@]}" \
    || fail go-proxy k8s.io/kubernetes "$v" "go build failed (wrapper toolchain/go/kubernetes)"
  rm -rf "$KUBERNETES_ROOT/bin" && mv "$KUBERNETES_ROOT/bin.tmp" "$KUBERNETES_ROOT/bin"
}
