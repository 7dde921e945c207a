# promtool and the Prometheus server, built from the Go module github.com/prometheus/prometheus through the Go module
# proxy: the module's h1: sum must be PROMETHEUS_MODULE_SUM before anything is built. promtool checks and unit-tests
# the charts' alert rules (charts/test/alert-rules.test.ts); the server is for a Prometheus in the local cluster.
# Tags as upstream's release builds, minus builtinassets (its web UI assets are generated, not in the module), and
# with only the Kubernetes, file, static and http service discoveries: the cluster needs no cloud SDK.
PROM_MODULE=github.com/prometheus/prometheus
PROM_BINS=(promtool prometheus)
STEP_REGISTRY=go-proxy STEP_PACKAGE="$PROM_MODULE" STEP_VERSION="v$PROMETHEUS_MODULE_VERSION"
step_outputs() { printf '%s\n' "$PROMETHEUS_ROOT"; }
step_inputs() { echo "$PROM_MODULE@v$PROMETHEUS_MODULE_VERSION $PROMETHEUS_MODULE_SUM as $PROMETHEUS_VERSION ${PROM_BINS[*]}"; }
step_check() {
  local b
  # No grep -q: SIGPIPE under pipefail.
  for b in "${PROM_BINS[@]}"; do "$PROMETHEUS_ROOT/bin/$b" --version | grep "^$b, version $PROMETHEUS_VERSION " >/dev/null || return 1; done
}
step_install() {
  local mod="$PROM_MODULE@v$PROMETHEUS_MODULE_VERSION" json sum v=github.com/prometheus/common/version b pkgs=()
  # The JSON names the error of a version the proxy does not serve; its lines are go's own fixed layout.
  if ! json="$(cd /tmp && go mod download -json "$mod")"; then
    fail go-proxy "$PROM_MODULE" "v$PROMETHEUS_MODULE_VERSION" "module not served by the Go module proxy: $(echo "$json" | sed -n 's/^\t"Error": "\(.*\)",\?$/\1/p')"
  fi
  sum="$(echo "$json" | sed -n 's/^\t"Sum": "\(.*\)",$/\1/p')"
  [ "$sum" = "$PROMETHEUS_MODULE_SUM" ] \
    || fail go-proxy "$PROM_MODULE" "v$PROMETHEUS_MODULE_VERSION" "module sum $sum is not the pinned PROMETHEUS_MODULE_SUM $PROMETHEUS_MODULE_SUM (toolchain/versions.env)"
  for b in "${PROM_BINS[@]}"; do pkgs+=("$PROM_MODULE/cmd/$b@v$PROMETHEUS_MODULE_VERSION"); done
  rm -rf "$PROMETHEUS_ROOT" && mkdir -p "$PROMETHEUS_ROOT/bin"
  # Stamped as upstream's .promu.yml does; the revision is the module version, since a module zip has no git history.
  cd /tmp
  GOBIN="$PROMETHEUS_ROOT/bin" CGO_ENABLED=0 nice -n 10 go install -trimpath -tags netgo,remove_all_sd,enable_kubernetes_sd \
    -ldflags "-s -w -X $v.Version=$PROMETHEUS_VERSION -X $v.Revision=v$PROMETHEUS_MODULE_VERSION -X $v.Branch=go-module -X $v.BuildUser=messaging-platform" \
    "${pkgs[@]}" \
    || fail go-proxy "$PROM_MODULE" "v$PROMETHEUS_MODULE_VERSION" "go install of cmd/promtool and cmd/prometheus failed"
}
