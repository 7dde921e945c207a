// The reference Kafka producer over TLS: its client properties trust the target's CA alone, inline as a PEM
// truststore on one line, which Java's Properties format turns back into the certificate's lines (\n escapes).

import { newCertificateAuthority } from "../../../contract/certificates";
import type { KafkaTarget } from "../../../contract/target";
import { producerProperties } from "../reference-tools";

const ca = newCertificateAuthority("bench test CA", 1).certPem;
const base: KafkaTarget = {
  bootstrapServers: ["k-0:9092"],
  sasl: { mechanism: "scram-sha-512", username: "app", password: "pw" },
  tls: true,
  ca,
  nodes: [],
  expected: { replicationFactor: 3, minInsyncReplicas: 2, uncleanLeaderElection: false, autoCreateTopics: false },
  topics: [],
};

/** The subset of java.util.Properties.load this file uses: key=value lines, \n and \\ escapes. */
function javaProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at < 1) continue;
    out.set(
      line.slice(0, at),
      line.slice(at + 1).replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c)),
    );
  }
  return out;
}

describe("ProducerPerformance over TLS", () => {
  it("speaks SASL_SSL and trusts exactly the target's CA; host names stay checked (no override)", () => {
    const props = javaProperties(producerProperties(base));
    expect(props.get("security.protocol")).toBe("SASL_SSL");
    expect(props.get("ssl.truststore.type")).toBe("PEM");
    expect(props.get("ssl.truststore.certificates")).toBe(ca.trim());
    expect(props.has("ssl.endpoint.identification.algorithm")).toBe(false);
  });
  it("without TLS: plaintext SASL and no truststore", () => {
    const props = javaProperties(producerProperties({ ...base, tls: false, ca: undefined }));
    expect(props.get("security.protocol")).toBe("SASL_PLAINTEXT");
    expect(props.has("ssl.truststore.certificates")).toBe(false);
  });
});
