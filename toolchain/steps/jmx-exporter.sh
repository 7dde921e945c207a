# The Prometheus JMX exporter Java agent from Maven Central, pinned by version and sha256. cluster/images.ts copies it
# into the Kafka image beside the Kafka jars (not into libs/, so no tool's classpath holds it); charts/kafka's launch
# script attaches it to the broker or controller JVM only, never to the CLI tools or the probes.
STEP_REGISTRY=maven-central STEP_PACKAGE="io.prometheus.jmx:jmx_prometheus_javaagent" STEP_VERSION="$JMX_EXPORTER_VERSION"
JMX_AGENT_GAV="io.prometheus.jmx:jmx_prometheus_javaagent:$JMX_EXPORTER_VERSION"
step_outputs() { printf '%s\n' "$JMX_EXPORTER_HOME" "$JMX_EXPORTER_HOME.tmp"; }
step_inputs() { echo "$JMX_AGENT_GAV sha256=$JMX_EXPORTER_SHA256"; }
step_check() { echo "$JMX_EXPORTER_SHA256  $JMX_EXPORTER_HOME/jmx_prometheus_javaagent.jar" | sha256sum -c --strict; }
step_install() {
  local tmp="$JMX_EXPORTER_HOME.tmp" jar got central sha1
  rm -rf "$tmp"
  # -C (strict checksums): Maven fails the download unless the jar matches the .sha1 Central serves beside it.
  mvn -B -q -C -Dstyle.color=never dependency:copy -Dartifact="$JMX_AGENT_GAV:jar" -Dmdep.stripVersion=true -DoutputDirectory="$tmp" \
    || { echo; fail maven-central "${JMX_AGENT_GAV%:*}" "$JMX_EXPORTER_VERSION" "download failed"; }
  # Maven -q leaves its output's last line open (colour codes, no newline): a FAILED line must start a line of its own.
  echo
  jar="$tmp/jmx_prometheus_javaagent.jar"
  # The same comparison again, by hand, against the .sha1 Maven kept from Central.
  central="$HOME/.m2/repository/io/prometheus/jmx/jmx_prometheus_javaagent/$JMX_EXPORTER_VERSION/jmx_prometheus_javaagent-$JMX_EXPORTER_VERSION.jar.sha1"
  [ -f "$central" ] || fail maven-central "${JMX_AGENT_GAV%:*}" "$JMX_EXPORTER_VERSION" "no .sha1 from Maven Central at $central"
  sha1="$(sha1sum "$jar" | cut -d' ' -f1)"
  [ "$sha1" = "$(cut -c1-40 "$central")" ] \
    || fail maven-central "${JMX_AGENT_GAV%:*}" "$JMX_EXPORTER_VERSION" "sha1 $sha1 is not Maven Central's $(cut -c1-40 "$central")"
  got="$(sha256sum "$jar" | cut -d' ' -f1)"
  [ "$got" = "$JMX_EXPORTER_SHA256" ] \
    || fail maven-central "${JMX_AGENT_GAV%:*}" "$JMX_EXPORTER_VERSION" "sha256 $got is not the pinned JMX_EXPORTER_SHA256 $JMX_EXPORTER_SHA256 (toolchain/versions.env)"
  rm -rf "$JMX_EXPORTER_HOME" && mv "$tmp" "$JMX_EXPORTER_HOME"
}
