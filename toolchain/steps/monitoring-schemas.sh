# Offline JSON schemas of prometheus-operator's PodMonitor, ServiceMonitor and PrometheusRule (monitoring.coreos.com/v1),
# for kubeconform: the chart tests validate the monitoring objects the charts render against them. Source: the CRD
# YAMLs in the github.com/prometheus-operator/prometheus-operator Go module (example/prometheus-operator-crd/), from
# the Go module proxy, the module's h1: sum pinned; toolchain/src/crd-schemas.ts converts them.
PO_MODULE=github.com/prometheus-operator/prometheus-operator
STEP_REGISTRY=go-proxy STEP_PACKAGE="$PO_MODULE" STEP_VERSION="v$PROMETHEUS_OPERATOR_VERSION"
PO_CRDS=(podmonitors servicemonitors prometheusrules)
step_outputs() { printf '%s\n' "$MONITORING_SCHEMAS" "$MONITORING_SCHEMAS.tmp"; }
step_inputs() {
  echo "$PO_MODULE@v$PROMETHEUS_OPERATOR_VERSION $PROMETHEUS_OPERATOR_MODULE_SUM ${PO_CRDS[*]}"
  hash_files "$TOOLCHAIN_DIR/src/crd-schemas.ts"
}
step_check() {
  ls "$MONITORING_SCHEMAS/podmonitor-monitoring-v1.json" "$MONITORING_SCHEMAS/servicemonitor-monitoring-v1.json" \
    "$MONITORING_SCHEMAS/prometheusrule-monitoring-v1.json"
}
step_install() {
  export PATH="$NODE_HOME/bin:$PATH"
  local json dir sum files=() c
  if ! json="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$PO_MODULE@v$PROMETHEUS_OPERATOR_VERSION")"; then
    fail go-proxy "$PO_MODULE" "v$PROMETHEUS_OPERATOR_VERSION" "module not served by the Go module proxy: $json"
  fi
  dir="$(node -e 'const j=JSON.parse(process.argv[1]);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)' "$json")"
  sum="$(node -e 'console.log(JSON.parse(process.argv[1]).Sum)' "$json")"
  [ "$sum" = "$PROMETHEUS_OPERATOR_MODULE_SUM" ] \
    || fail go-proxy "$PO_MODULE" "v$PROMETHEUS_OPERATOR_VERSION" "module sum $sum is not the pinned PROMETHEUS_OPERATOR_MODULE_SUM $PROMETHEUS_OPERATOR_MODULE_SUM (toolchain/versions.env)"
  for c in "${PO_CRDS[@]}"; do files+=("$dir/example/prometheus-operator-crd/monitoring.coreos.com_$c.yaml"); done
  rm -rf "$MONITORING_SCHEMAS.tmp"
  (cd "$REPO_ROOT" && node --import tsx toolchain/src/crd-schemas.ts "$MONITORING_SCHEMAS.tmp" "${files[@]}") \
    || fail go-proxy "$PO_MODULE" "v$PROMETHEUS_OPERATOR_VERSION" "converting the CRDs to JSON schemas failed"
  rm -rf "$MONITORING_SCHEMAS" && mv "$MONITORING_SCHEMAS.tmp" "$MONITORING_SCHEMAS"
}
