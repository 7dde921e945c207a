// The certificate-rotation drill's pure parts: the stack config copy it deploys, and the sentence on who switched when.
import { parse } from "yaml";
import { describeSwitches, withRenewal } from "../tls-rotation";

describe("withRenewal", () => {
  it("sets tls.renewal in the copy, creating the tls key when the stack has none, and keeps the rest", () => {
    const text = "# comment\nconfig:\n  messaging-platform:environment: staging\nencryptionsalt: v1:abc\n";
    const out = withRenewal(text, 2);
    expect(out).toContain("# comment");
    expect(parse(out)).toEqual({
      config: { "messaging-platform:environment": "staging", "messaging-platform:tls": { renewal: 2 } },
      encryptionsalt: "v1:abc",
    });
    const withTls = "config:\n  messaging-platform:tls:\n    validityDays: 90\n";
    expect(parse(withRenewal(withTls, 1)).config["messaging-platform:tls"]).toEqual({ validityDays: 90, renewal: 1 });
  });
});

describe("describeSwitches", () => {
  it("lists the endpoints in the order they switched, with the time after the up began", () => {
    expect(
      describeSwitches([
        { endpoint: "kafka-broker-2:9092", atMs: 61_000, trusted: true },
        { endpoint: "kafka-broker-0:9092", atMs: 12_400, trusted: true },
      ]),
    ).toEqual({
      ok: true,
      detail: "new certificate served by kafka-broker-0:9092 at +12.4 s; kafka-broker-2:9092 at +61.0 s",
    });
  });
  it("fails for an endpoint still on the old certificate or serving one the CA does not sign", () => {
    const r = describeSwitches([{ endpoint: "a:1", atMs: 1_000, trusted: false }, { endpoint: "b:1" }]);
    expect(r.ok).toBe(false);
    expect(r.detail).toBe(
      "new certificate served by a:1 at +1.0 s — still the old certificate: b:1; new certificate not trusted: a:1",
    );
  });
});
