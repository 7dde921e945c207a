# Offline JSON schemas of the Kubernetes API at KUBERNETES_SCHEMA_VERSION, for kubeconform (chart tests validate
# every rendered object against them, with no network). Source: the k8s.io/kubernetes Go module from the Go
# module proxy (its zip carries api/openapi-spec/swagger.json); toolchain/src/kubernetes-schemas.ts converts it
# into kubeconform's "standalone-strict" layout under $K8S_SCHEMAS.
K8S_MODULE=k8s.io/kubernetes
STEP_REGISTRY=go-proxy STEP_PACKAGE="k8s.io/kubernetes" STEP_VERSION="v$KUBERNETES_SCHEMA_VERSION"
step_outputs() { printf '%s\n' "$K8S_SCHEMAS" "$K8S_SCHEMAS.tmp"; }
step_inputs() { echo "$K8S_MODULE@v$KUBERNETES_SCHEMA_VERSION"; hash_files "$TOOLCHAIN_DIR/src/kubernetes-schemas.ts"; }
step_check() {
  local d="$K8S_SCHEMAS/v$KUBERNETES_SCHEMA_VERSION-standalone-strict"
  ls "$d/statefulset-apps-v1.json" "$d/service-v1.json" "$d/poddisruptionbudget-policy-v1.json" \
    "$d/networkpolicy-networking-v1.json" "$d/configmap-v1.json" "$d/secret-v1.json"
}
step_install() {
  export PATH="$NODE_HOME/bin:$PATH"
  local dir spec
  if ! dir="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$K8S_MODULE@v$KUBERNETES_SCHEMA_VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})')"; then
    fail go-proxy "$K8S_MODULE" "v$KUBERNETES_SCHEMA_VERSION" "module not served by the Go module proxy (other listed versions: see build-machine facts)"
  fi
  spec="$dir/api/openapi-spec/swagger.json"
  [ -f "$spec" ] || fail go-proxy "$K8S_MODULE" "v$KUBERNETES_SCHEMA_VERSION" "module zip has no api/openapi-spec/swagger.json"
  rm -rf "$K8S_SCHEMAS.tmp"
  (cd "$REPO_ROOT" && node --import tsx toolchain/src/kubernetes-schemas.ts "$spec" "$K8S_SCHEMAS.tmp" "$KUBERNETES_SCHEMA_VERSION") \
    || fail go-proxy "$K8S_MODULE" "v$KUBERNETES_SCHEMA_VERSION" "converting swagger.json to JSON schemas failed"
  rm -rf "$K8S_SCHEMAS" && mv "$K8S_SCHEMAS.tmp" "$K8S_SCHEMAS"
}
