# Shared shell helpers for the toolchain scripts. Sourced, never executed: the shell options are the caller's
# (every script that sources it runs under set -euo pipefail).
# Paths: everything the toolchain installs lives under one versioned cache directory outside the repo.

TOOLCHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$TOOLCHAIN_DIR/.." && pwd)"
# shellcheck source=versions.env
source "$TOOLCHAIN_DIR/versions.env"

MP_CACHE_ROOT="${MESSAGING_PLATFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/messaging-platform}"
MP_CACHE="$MP_CACHE_ROOT/toolchain-v$TOOLCHAIN_CACHE_VERSION"

NODE_HOME="$MP_CACHE/node-$NODE_VERSION"
PULUMI_ROOT="$MP_CACHE/pulumi-$PULUMI_VERSION"          # bin/ holds pulumi, the language host, the policy analyzer
PULUMI_HOME_DIR="$MP_CACHE/pulumi-home"                  # PULUMI_HOME: plugins live here
HELM_ROOT="$MP_CACHE/helm-$HELM_VERSION"
KAFKA_HOME="$MP_CACHE/kafka-$KAFKA_VERSION"
PERF_TEST_HOME="$MP_CACHE/perf-test-$PERF_TEST_VERSION"
# The built librdkafka client (the .node binding and librdkafka.so), copied into node_modules by setup.
LIBRDKAFKA_BUILD="$MP_CACHE/kafka-javascript-$KAFKA_JAVASCRIPT_VERSION-node-$NODE_VERSION"
RABBITMQ_ROOTFS="$MP_CACHE/rabbitmq-rootfs-$RABBITMQ_SUITE"
RUNNER_ROOTFS="$MP_CACHE/runner-rootfs-$RUNNER_SUITE"      # base of the smoke-gate image (images/)
K8S_SCHEMAS="$MP_CACHE/kubernetes-schemas-$KUBERNETES_SCHEMA_VERSION"
JMX_EXPORTER_HOME="$MP_CACHE/jmx-exporter-$JMX_EXPORTER_VERSION"  # jmx_prometheus_javaagent.jar, for the Kafka image
# JSON schemas of prometheus-operator's PodMonitor, ServiceMonitor and PrometheusRule, for kubeconform.
MONITORING_SCHEMAS="$MP_CACHE/prometheus-operator-schemas-$PROMETHEUS_OPERATOR_VERSION"
PROMETHEUS_ROOT="$MP_CACHE/prometheus-$PROMETHEUS_VERSION"  # bin/: promtool, prometheus
# The cluster's tools (cluster/): installed by the first `npm run cluster:up`, not by `npm run setup`.
KUBERNETES_ROOT="$MP_CACHE/kubernetes-$KUBERNETES_VERSION"  # bin/: kube-apiserver ... kubelet, kube-proxy, kubectl
ETCD_ROOT="$MP_CACHE/etcd-$ETCD_VERSION"
COREDNS_ROOT="$MP_CACHE/coredns-$COREDNS_VERSION"
KUBE_ROUTER_ROOT="$MP_CACHE/kube-router-$KUBE_ROUTER_VERSION"
PAUSE_ROOT="$MP_CACHE/pause-$PAUSE_VERSION"
JRE_ROOTFS="$MP_CACHE/jre-rootfs-$JRE_SUITE"                # base of the cluster's Kafka image

# Java 17 is the machine default and Kafka 4.x supports it; prefer a newer JDK when one is installed.
mp_java_home() {
  local j
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-amd64; do
    if [ -x "$j/bin/java" ]; then echo "$j"; return 0; fi
  done
  dirname "$(dirname "$(readlink -f "$(command -v java)")")"
}
