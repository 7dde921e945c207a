#!/bin/sh
# Run in a Kafka controller pod (sh -c; arguments: the kafka-metadata-quorum.sh command, `describe --status` when none;
# CONTROLLER_PORT, POD_NAME, HEADLESS_SERVICE, POD_NAMESPACE and
# CLUSTER_DOMAIN from the container's environment, as the chart sets them): the KRaft
# quorum's status, through the controller listener with the chart's client config. awk reads the controller's password
# from its file and puts it in literally (index/substr, not a sed replacement): it is on no command line (the pod
# shares one PID namespace; /proc/<pid>/cmdline is world-readable), whatever its characters. The filled config is
# private (umask 077).
# The controller is dialled by the pod's own name, as the chart's probes do: over TLS its certificate names that host
# (localhost is no SAN). The tool's JVM is bounded and kept free of the broker's agent options, as the probes' are.
[ "$#" -gt 0 ] || set -- describe --status
# No -e: the tool runs only when the config was written (&&), and its output, errors included, is what the caller reads.
unset KAFKA_OPTS KAFKA_JMX_OPTS KAFKA_LOG4J_OPTS
export KAFKA_HEAP_OPTS="-Xmx128m -Xms32m" LOG_DIR=/tmp/kafka/quorum-logs
f=/tmp/kafka/quorum-client.properties
(
  umask 077
  awk '
    BEGIN {
      p = "/etc/kafka/users/controller"
      while ((r = (getline l < p)) > 0) pw = pw (n++ ? "\n" : "") l
      if (r < 0) { print "cannot read " p > "/dev/stderr"; exit 1 }
      sub(/\n+$/, "", pw)
      t = "@CONTROLLER_PASSWORD@"
    }
    { s = $0; o = ""; while ((i = index(s, t)) > 0) { o = o substr(s, 1, i - 1) pw; s = substr(s, i + length(t)) }; print o s }
  ' /etc/kafka/config/client-controller.properties > "$f"
) && /opt/kafka/bin/kafka-metadata-quorum.sh \
  --bootstrap-controller "$POD_NAME.$HEADLESS_SERVICE.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN:$CONTROLLER_PORT" \
  --command-config "$f" "$@" 2>&1
