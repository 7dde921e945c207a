// The two production policies that read broker configuration (Kafka durability, TLS) on hand-made objects: they look
// at ConfigMaps in production namespaces only, and skip values a preview does not know yet.
import { environmentLabel, kafkaProductionDurability, productionTls } from "../policy/policies";

type Obj = Record<string, any>;

function resource(o: Obj) {
  return {
    type: `kubernetes:core/v1:${o.kind}`,
    props: o,
    urn: `urn:${o.kind}:${o.metadata.name}`,
    name: o.metadata.name,
  };
}

function namespace(name: string, environment: string): Obj {
  return { kind: "Namespace", metadata: { name, labels: { [environmentLabel]: environment } } };
}

function configMap(ns: string, data: Record<string, unknown>): Obj {
  return { kind: "ConfigMap", metadata: { namespace: ns, name: `${ns}-config` }, data };
}

/** What a policy's validateStack reports on these objects. */
function reports(policy: typeof kafkaProductionDurability, objects: Obj[]): string[] {
  const found: string[] = [];
  policy.validateStack?.({ resources: objects.map(resource) } as any, (m: string) => found.push(m));
  return found;
}

const weakKafka = "default.replication.factor=1\nlistener.security.protocol.map=CLIENT:PLAINTEXT\n";
/** A preview's placeholder for a value not known yet, carrying a key that would be reported if it were read. */
const unknownYet = `04da6b54-80e4-46f7-96ec-b56ff0331ba9\n${weakKafka}`;
const objects = [
  namespace("prod", "production"),
  namespace("dev", "development"),
  configMap("prod", { "broker.properties": weakKafka, "other.properties": unknownYet }),
  configMap("dev", { "broker.properties": weakKafka }),
];

describe("the production policies that read broker ConfigMaps", () => {
  it("kafka-production-durability reports the production ConfigMap's known files only", () => {
    expect(reports(kafkaProductionDurability, objects)).toEqual([
      "ConfigMap prod/prod-config broker.properties: default.replication.factor=1 is below the production floor of 3",
    ]);
  });

  it("production-tls reports the production ConfigMap's known files only", () => {
    expect(reports(productionTls, objects)).toEqual([
      "ConfigMap prod/prod-config broker.properties: listener CLIENT speaks PLAINTEXT, not SASL_SSL",
    ]);
  });
});
