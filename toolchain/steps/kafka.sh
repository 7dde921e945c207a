# Apache Kafka broker, storage tool and kafka-tools (ProducerPerformance, ConsumerPerformance) from Maven Central.
# The same version is the apache/kafka image tag that charts/kafka runs.
STEP_REGISTRY=maven-central STEP_PACKAGE="org.apache.kafka:kafka_2.13+kafka-tools" STEP_VERSION="$KAFKA_VERSION"
step_outputs() { printf '%s\n' "$KAFKA_HOME" "$KAFKA_HOME.tmp"; }
step_inputs() { echo "kafka $KAFKA_VERSION"; hash_files "$TOOLCHAIN_DIR/maven/kafka.pom.xml"; }
step_check() {
  ls "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" "$KAFKA_HOME/libs/kafka-tools-$KAFKA_VERSION.jar" \
    "$KAFKA_HOME"/libs/scala-library-*.jar
}
step_install() {
  rm -rf "$KAFKA_HOME.tmp"
  mvn -B -q -f "$TOOLCHAIN_DIR/maven/kafka.pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME.tmp/libs" \
    || fail maven-central org.apache.kafka:kafka_2.13+kafka-tools "$KAFKA_VERSION" "dependency resolution failed"
  rm -rf "$KAFKA_HOME" && mv "$KAFKA_HOME.tmp" "$KAFKA_HOME"
}
