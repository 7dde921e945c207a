// Topics and queues declared in the stack config, rendered into what the declaration Jobs apply: a shell script of
// idempotent kafka-topics.sh/kafka-configs.sh calls, and a RabbitMQ definitions document. Pure: tested on their own.
import { createHash } from "node:crypto";
import type { QueueSettings, RabbitMQPolicySettings, TopicSettings } from "../settings";

/** POSIX single-quoting: topic names are validated, but quoting costs nothing. */
function q(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/**
 * A script for the apache/kafka image that makes each declared topic exist with its partitions, replication factor
 * and min ISR. Create-if-missing, then enforce: min ISR is set on every run, partitions only grow (Kafka cannot
 * shrink them), and a replication factor that differs fails the Job: moving replicas is a reassignment an operator
 * plans (kafka-reassign-partitions.sh), not something a deploy should do behind their back.
 */
export function kafkaTopicsScript(topics: TopicSettings[]): string {
  const header = `set -eu
bin=/opt/kafka/bin
cat > /tmp/client.properties <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_USER" password="$KAFKA_PASSWORD";
EOF
admin="--bootstrap-server $BOOTSTRAP_SERVERS --command-config /tmp/client.properties"
ensure_topic() {
  name=$1; partitions=$2; rf=$3; isr=$4
  $bin/kafka-topics.sh $admin --create --if-not-exists --topic "$name" --partitions "$partitions" \\
    --replication-factor "$rf" --config min.insync.replicas="$isr"
  $bin/kafka-configs.sh $admin --alter --entity-type topics --entity-name "$name" --add-config min.insync.replicas="$isr"
  described=$($bin/kafka-topics.sh $admin --describe --topic "$name" | head -n 1)
  have_partitions=$(echo "$described" | sed -n 's/.*PartitionCount: *\\([0-9]*\\).*/\\1/p')
  have_rf=$(echo "$described" | sed -n 's/.*ReplicationFactor: *\\([0-9]*\\).*/\\1/p')
  if [ "$have_rf" != "$rf" ]; then
    echo "topic $name has replication factor $have_rf, declared $rf: reassign its partitions (kafka-reassign-partitions.sh)" >&2
    exit 1
  fi
  if [ "$have_partitions" -lt "$partitions" ]; then
    $bin/kafka-topics.sh $admin --alter --topic "$name" --partitions "$partitions"
  fi
  echo "topic $name: $partitions partitions, replication factor $rf, min.insync.replicas $isr"
}
`;
  const calls = topics.map(
    (t) => `ensure_topic ${q(t.name)} ${t.partitions} ${t.replicationFactor} ${t.minInsyncReplicas}`,
  );
  return `${header}${calls.join("\n")}\n`;
}

/**
 * RabbitMQ definitions (the format of `rabbitmqctl import_definitions`): the vhost, the default user's permissions
 * on it, the policies and the durable quorum queues. Users are not in here: the chart creates the default user from
 * its Secret, and a definitions file would carry a password hash in a ConfigMap.
 */
export function rabbitmqDefinitions(d: {
  vhost: string;
  username: string;
  queues: QueueSettings[];
  policies: RabbitMQPolicySettings[];
}): Record<string, unknown> {
  return {
    vhosts: [{ name: d.vhost }],
    permissions: [{ user: d.username, vhost: d.vhost, configure: ".*", write: ".*", read: ".*" }],
    policies: d.policies.map((p) => ({
      vhost: d.vhost,
      name: p.name,
      pattern: p.pattern,
      "apply-to": p.applyTo,
      priority: p.priority,
      definition: p.definition,
    })),
    queues: d.queues.map((queue) => ({
      name: queue.name,
      vhost: d.vhost,
      durable: true,
      auto_delete: false,
      arguments: { "x-queue-type": queue.type },
    })),
  };
}

/**
 * Script for the rabbitmq image: import the definitions through the first node that answers. The Erlang cookie
 * comes from the Secret into $HOME/.erlang.cookie (mode 400, as the CLI requires), never onto a command line.
 */
export function rabbitmqDefinitionsScript(nodes: string[]): string {
  return `set -eu
export HOME=/tmp/home
mkdir -p "$HOME"
printf %s "$RABBITMQ_ERLANG_COOKIE_VALUE" > "$HOME/.erlang.cookie"
chmod 400 "$HOME/.erlang.cookie"
for node in ${nodes.map(q).join(" ")}; do
  if rabbitmqctl --longnames --node "$node" await_startup --timeout 60; then
    rabbitmqctl --longnames --node "$node" import_definitions /definitions/definitions.json
    exit 0
  fi
done
echo "no RabbitMQ node answered: ${nodes.join(", ")}" >&2
exit 1
`;
}

/** Short content hash: a Job is immutable, so a changed declaration gets a new Job (and the old one is removed). */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 10);
}
