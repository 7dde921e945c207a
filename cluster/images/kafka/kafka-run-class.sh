#!/bin/bash
# /opt/kafka/bin/kafka-run-class.sh of the cluster's Kafka image: the environment contract of Apache Kafka's own
# script (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_OPTS, KAFKA_LOG4J_OPTS, LOG_DIR, KAFKA_DEBUG-free),
# for the jars from Maven Central in /opt/kafka/libs. Usage: kafka-run-class.sh [-daemon] [-name n] <class> [args]
set -euo pipefail
base_dir="$(cd "$(dirname "$0")/.." && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    -daemon) shift ;;          # the image runs everything in the foreground
    -name) shift 2 ;;
    -loggc) shift ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 <class> [args]" >&2; exit 1; }
: "${LOG_DIR:=$base_dir/logs}"
mkdir -p "$LOG_DIR" 2>/dev/null || true
: "${KAFKA_HEAP_OPTS:=-Xmx256M}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml}"
if [ -n "${JMX_PORT:-}" ]; then
  : "${KAFKA_JMX_OPTS:=-Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false -Dcom.sun.management.jmxremote.port=$JMX_PORT}"
else
  KAFKA_JMX_OPTS=""
fi
# shellcheck disable=SC2086
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_JMX_OPTS \
  "-Dkafka.logs.dir=$LOG_DIR" $KAFKA_LOG4J_OPTS ${KAFKA_OPTS:-} -cp "$base_dir/libs/*" "$@"
