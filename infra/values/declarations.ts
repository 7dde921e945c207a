// Topics and queues declared in the stack config, rendered into what the declaration Jobs apply: a shell script of
// idempotent kafka-topics.sh/kafka-configs.sh calls, and a RabbitMQ definitions document. Pure: tested on their own.
import { createHash } from "node:crypto";
import type { TopicSettings } from "../settings/kafka";
import type { QueueSettings, RabbitMQPolicySettings } from "../settings/rabbitmq";

/** Where a declaration Job finds its password: a file of a Secret volume (mode 0400), never an environment variable. */
export const declarationPasswordFile = "/run/secrets/declarations/password";

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
export function kafkaTopicsScript(
  topics: TopicSettings[],
  tls?: { caFile: string },
  passwordFile = declarationPasswordFile,
): string {
  // Over TLS the tools trust the stack's CA (a PEM truststore) and check the brokers' host names (Kafka's default).
  const security = tls
    ? `security.protocol=SASL_SSL
ssl.truststore.type=PEM
ssl.truststore.location=${tls.caFile}`
    : "security.protocol=SASL_PLAINTEXT";
  const header = `set -eu
bin=/opt/kafka/bin
# The password comes from its mounted file into an unexported shell variable: no process's environment or argv holds
# it. The client config carries it: private to the Job's user (0600); the heredoc keeps it off cat's argv.
password=$(cat ${q(passwordFile)})
umask 077
cat > /tmp/client.properties <<EOF
${security}
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_USER" password="$password";
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
 * Script for the rabbitmq image: POST the definitions to the management HTTP API of the first node that takes them
 * (`/api/definitions` imports vhosts, permissions, policies and queues idempotently). HTTP, not rabbitmqctl: the
 * chart's NetworkPolicy opens the Erlang distribution ports only to the cluster's own pods, while the management
 * port admits clientFrom, which includes this Job. The image has no curl; Erlang's own httpc does the request.
 */
export function rabbitmqDefinitionsScript(
  managementUrls: string[],
  tls?: { caFile: string },
  passwordFile = declarationPasswordFile,
): string {
  // Over TLS: verify the node's certificate against the stack's CA only, and its host name (HTTPS rules).
  const httpOptions = tls
    ? `[{timeout, 30000}, {ssl, [{verify, verify_peer}, {cacertfile, "${tls.caFile}"}, {customize_hostname_check, [{match_fun, public_key:pkix_verify_hostname_match_fun(https)}]}]}]`
    : "[{timeout, 30000}]";
  const erlang = [
    "{ok, _} = application:ensure_all_started(inets),",
    ...(tls ? ["{ok, _} = application:ensure_all_started(ssl),"] : []),
    'Url = os:getenv("URL") ++ "/api/definitions",',
    '{ok, Body} = file:read_file("/definitions/definitions.json"),',
    '{ok, Password} = file:read_file(os:getenv("PASSWORD_FILE")),',
    'Auth = "Basic " ++ base64:encode_to_string(os:getenv("RABBITMQ_USERNAME") ++ ":" ++ binary_to_list(Password)),',
    `case httpc:request(post, {Url, [{"authorization", Auth}], "application/json", Body}, ${httpOptions}, []) of`,
    "  {ok, {{_, Code, _}, _, _}} when Code >= 200, Code < 300 -> halt(0);",
    '  Other -> io:format(standard_error, "~s: ~p~n", [Url, Other]), halt(1)',
    "end.",
  ].join("\n");
  return `set -eu
export HOME=/tmp
for url in ${managementUrls.map(q).join(" ")}; do
  if URL="$url" PASSWORD_FILE=${q(passwordFile)} erl -noshell -eval '${erlang}'; then
    echo "definitions imported through $url"
    exit 0
  fi
done
echo "no RabbitMQ node took the definitions; the Job retries" >&2
exit 1
`;
}

/** Short content hash: a Job is immutable, so a changed declaration gets a new Job (and the old one is removed). */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 10);
}
