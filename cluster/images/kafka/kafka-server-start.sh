#!/bin/bash
# /opt/kafka/bin/kafka-server-start.sh of the cluster's Kafka image, as Apache Kafka's: server logging config, 1 GB
# heap unless KAFKA_HEAP_OPTS says otherwise, then kafka.Kafka in the foreground.
set -euo pipefail
[ $# -ge 1 ] || { echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2; exit 1; }
base_dir="$(cd "$(dirname "$0")/.." && pwd)"
export KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/log4j2.yaml}"
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
exec "$base_dir/bin/kafka-run-class.sh" kafka.Kafka "$@"
