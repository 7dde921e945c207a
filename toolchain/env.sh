# The toolchain's environment: every project script runs with it (see toolchain/run). Sourced: the shell options
# are the caller's (set -euo pipefail in toolchain/run).
# Pulumi is set up to never reach for the network: file backend on this machine, passphrase secrets,
# no update check, no automatic plugin download.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export MP_CACHE REPO_ROOT NODE_HOME PULUMI_ROOT HELM_ROOT KAFKA_HOME PERF_TEST_HOME RABBITMQ_ROOTFS RUNNER_ROOTFS K8S_SCHEMAS \
  JMX_EXPORTER_HOME MONITORING_SCHEMAS PROMETHEUS_ROOT
# node_modules/@pulumi/pulumi ships pulumi-resource-pulumi-nodejs, the plugin that runs dynamic providers.
export PATH="$NODE_HOME/bin:$PULUMI_ROOT/bin:$HELM_ROOT/bin:$PROMETHEUS_ROOT/bin:$REPO_ROOT/node_modules/.bin:$REPO_ROOT/node_modules/@pulumi/pulumi:$PATH"
export JAVA_HOME="${JAVA_HOME:-$(mp_java_home)}"

export PULUMI_HOME="$PULUMI_HOME_DIR"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_DISABLE_REGISTRY_RESOLVE=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_SKIP_CONFIRMATIONS=true
export PULUMI_OPTION_COLOR="${PULUMI_OPTION_COLOR:-never}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$REPO_ROOT/.pulumi-state}"
# Passphrase secrets provider: no default here. PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) stays what
# the caller set; a stack that declares itself throwaway (`messaging-platform:throwaway: true` in its Pulumi.<stack>.yaml)
# gets the empty passphrase from the commands that run Pulumi for it, and any other stack without a passphrase is
# refused before Pulumi runs (toolchain/src/stack-secrets.ts).
# Helm keeps its caches out of $HOME so a test never depends on a user's repositories.
export HELM_CACHE_HOME="$MP_CACHE/helm-home/cache" HELM_CONFIG_HOME="$MP_CACHE/helm-home/config" HELM_DATA_HOME="$MP_CACHE/helm-home/data"
