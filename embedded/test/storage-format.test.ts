// Kafka's storage format, as `up` runs it, on a scratch directory: the SCRAM users' passwords reach the StorageTool
// through a private java argument file only. No process shows them on its command line while it runs, the storage
// is formatted, and the argument file is gone afterwards. Needs the cached Kafka jars and a JVM, no broker.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandLineWatch, type NamedSecret } from "../../toolchain/src/leak-watch";
import { PRIVATE_DIR_PREFIX } from "../../toolchain/src/secrets";
import { formatStorage, type KafkaCluster, storageFormatArgs } from "../kafka/cluster";
import { embeddedKafkaSettings, kafkaServerProperties, renderProperties } from "../kafka/config";
import { generateKafkaClusterId, generateSecret } from "../state";
import { kafkaNodes } from "../topology";
import { kafkaValues } from "./fixtures";

jest.setTimeout(120_000);

function scratchCluster(): KafkaCluster {
  const settings = embeddedKafkaSettings(kafkaValues());
  return {
    settings,
    nodes: kafkaNodes("combined", settings.pools),
    clusterId: generateKafkaClusterId(),
    users: Object.fromEntries(settings.saslUsers.map((u) => [u, generateSecret()])),
    passwords: { interBroker: generateSecret(), controller: generateSecret() },
  };
}

const secretsOf = (c: KafkaCluster): NamedSecret[] => [
  ...Object.entries(c.users).map(([user, value]) => ({ name: `Kafka password of ${user}`, value })),
  { name: "Kafka password of inter-broker", value: c.passwords.interBroker },
  { name: "Kafka password of controller", value: c.passwords.controller },
];

const privateDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith(PRIVATE_DIR_PREFIX));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mp-storage-format-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("Kafka storage format", () => {
  it("hands every SCRAM user with its password to the StorageTool", () => {
    const c = scratchCluster();
    const args = storageFormatArgs(c, "/x/server.properties");
    expect(args.slice(0, 6)).toEqual([
      "kafka.tools.StorageTool",
      "format",
      "-t",
      c.clusterId,
      "-c",
      "/x/server.properties",
    ]);
    expect(args.filter((a) => a === "--add-scram")).toHaveLength(c.settings.saslUsers.length + 1);
    expect(args).toContain(`SCRAM-SHA-512=[name=inter-broker,password=${c.passwords.interBroker}]`);
  });

  it("formats the storage with no password on any command line, and leaves no argument file behind", async () => {
    const c = scratchCluster();
    const node = c.nodes[0];
    if (!node) throw new Error("no Kafka node");
    const data = join(dir, "data");
    const properties = join(dir, "server.properties");
    writeFileSync(properties, renderProperties(kafkaServerProperties(c.settings, node, c.nodes, data, c.passwords)), {
      mode: 0o600,
    });
    const before = privateDirs();
    const watch = CommandLineWatch.start(secretsOf(c), { intervalMs: 50, watchFor: ["storage-format.args"] });
    try {
      await formatStorage(c, properties);
    } finally {
      const found = await watch.stop();
      expect(found.leaks).toEqual([]);
      // The StorageTool's JVM was seen, with only its `@file` on the command line.
      expect(found.seen).toEqual(["storage-format.args"]);
    }
    expect(readFileSync(join(data, "meta.properties"), "utf8")).toContain(`cluster.id=${c.clusterId}`);
    expect(existsSync(join(data, "bootstrap.checkpoint"))).toBe(true);
    expect(privateDirs().filter((d) => !before.includes(d))).toEqual([]);
  });
});
