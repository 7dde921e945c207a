# RabbitMQ PerfTest, the reference AMQP throughput tool, from Maven Central.
STEP_REGISTRY=maven-central STEP_PACKAGE="com.rabbitmq:perf-test" STEP_VERSION="$PERF_TEST_VERSION"
step_outputs() { printf '%s\n' "$PERF_TEST_HOME" "$PERF_TEST_HOME.tmp"; }
step_inputs() { echo "perf-test $PERF_TEST_VERSION"; hash_files "$TOOLCHAIN_DIR/maven/perf-test.pom.xml"; }
step_check() { ls "$PERF_TEST_HOME/libs/perf-test-$PERF_TEST_VERSION.jar"; }
step_install() {
  rm -rf "$PERF_TEST_HOME.tmp"
  mvn -B -q -f "$TOOLCHAIN_DIR/maven/perf-test.pom.xml" -Dperftest.version="$PERF_TEST_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$PERF_TEST_HOME.tmp/libs" \
    || fail maven-central com.rabbitmq:perf-test "$PERF_TEST_VERSION" "dependency resolution failed"
  rm -rf "$PERF_TEST_HOME" && mv "$PERF_TEST_HOME.tmp" "$PERF_TEST_HOME"
}
