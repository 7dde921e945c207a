// The one Target builder: what goes in comes out in the contract's shape, and a target taken apart and built again
// is the same target (a stack on the embedded environment builds on the environment's own).
import { buildTarget, partsOf } from "../build-target";
import { defaultGateSettings } from "../gate-settings";
import type { Target } from "../target";
import { validateTarget } from "../validate-target";
import { sampleTarget } from "./sample-target";

const target = (): Target => buildTarget(partsOf(sampleTarget()));

describe("buildTarget", () => {
  it("builds a target the contract's validator accepts, SCRAM-SHA-512 for Kafka, no gate unless given", () => {
    const t = target();
    expect(validateTarget(JSON.parse(JSON.stringify(t)))).toEqual({ ok: true, target: t });
    expect(t).toEqual(sampleTarget());
    expect(t.kafka.sasl).toEqual({ mechanism: "scram-sha-512", username: "smoke", password: "s3cret" });
    expect("gate" in t).toBe(false);
    expect(buildTarget({ ...partsOf(t), gate: defaultGateSettings }).gate).toEqual(defaultGateSettings);
  });

  it("takes a target apart and builds the same target again, copying the declared topics and queues", () => {
    const t = target();
    const again = buildTarget(partsOf(t));
    expect(again).toEqual(t);
    expect(again.kafka.topics[0]).not.toBe(t.kafka.topics[0]);
    expect(again.rabbitmq.queues[0]).not.toBe(t.rabbitmq.queues[0]);
  });
});

describe("a target with TLS", () => {
  // A CA as node-forge writes it (\r\n line breaks), and as openssl does (\n). contract/ imports nothing of the
  // project, so the PEM here is a fixed, made-up body: validation checks the shape, not the certificate.
  const pem = (eol: string) =>
    [
      "-----BEGIN CERTIFICATE-----",
      "MIIBszCCAVmgAwIBAgIUTESTTESTTESTTESTTESTTESTTESTwCgYIKoZIzj0EAwIw",
      "-----END CERTIFICATE-----",
      "",
    ].join(eol);
  const withTls = (ca: string): Target => {
    const t = target();
    return {
      ...t,
      kafka: { ...t.kafka, tls: true, ca },
      rabbitmq: {
        ...t.rabbitmq,
        amqpUrls: ["amqps://r-0.example:5671"],
        managementUrls: ["https://r-0.example:15671"],
        ca,
        plaintextUrls: ["amqp://r-0.example:5672", "http://r-0.example:15672"],
      },
    };
  };

  it("carries the CA and the plaintext endpoints through buildTarget and validates, whatever the line breaks", () => {
    for (const eol of ["\n", "\r\n"]) {
      const t = buildTarget(partsOf(withTls(pem(eol))));
      expect(t.kafka.ca).toBe(pem(eol));
      expect(t.rabbitmq.plaintextUrls).toHaveLength(2);
      expect(validateTarget(JSON.parse(JSON.stringify(t)))).toEqual({ ok: true, target: t });
    }
  });

  it("refuses a CA that is no PEM certificate, a CA on a Kafka target without TLS, and a plaintext URL with TLS in it", () => {
    const bad = withTls("not a certificate");
    const result = validateTarget(
      JSON.parse(
        JSON.stringify({
          ...bad,
          kafka: { ...bad.kafka, tls: false },
          rabbitmq: { ...bad.rabbitmq, plaintextUrls: ["amqps://r-0.example:5671"] },
        }),
      ),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => `${p.field}: ${p.rule}`)).toEqual([
        "kafka.ca: must be a PEM certificate (the CA the TLS listeners chain to)",
        "kafka.ca: is given but kafka.tls is not true",
        "rabbitmq.ca: must be a PEM certificate (the CA the TLS listeners chain to)",
        "rabbitmq.plaintextUrls[0]: must be amqp://host[:port] or http://host[:port] (a plaintext endpoint that must refuse)",
      ]);
    }
  });
});
