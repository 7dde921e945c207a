// The distribution check's parts: the plaintext handshake it sends and how it judges the probe's output. The replies
// below are what RabbitMQ 4.3.6 nodes sent to this handshake: the embedded default's plaintext distribution ("sok"
// and a challenge), and the cluster stack's over TLS (a fatal unexpected_message alert).
import { distributionProblems, judgeProbe, plaintextHandshake, printfEscapes } from "../distribution";

describe("plaintextHandshake", () => {
  const m = plaintextHandshake("probe@localhost");

  test("is a send_name in the N form: length, N, 8 flag bytes, creation, name length, name", () => {
    expect(m.readUInt16BE(0)).toBe(m.length - 2);
    expect(m.toString("latin1", 2, 3)).toBe("N");
    expect(m.readUInt16BE(15)).toBe("probe@localhost".length);
    expect(m.toString("latin1", 17)).toBe("probe@localhost");
  });

  test("offers the handshake-23 flag and the flags OTP 25+ makes mandatory", () => {
    const flags = m.readBigUInt64BE(3);
    for (const f of [0x4n, 0x80n, 0x100n, 0x200n, 0x400n, 0x800n, 0x10000n, 0x20000n, 0x40000n, 0x1000000n])
      expect(flags & f).toBe(f);
    // Not published: the probe is no node of the cluster.
    expect(flags & 0x1n).toBe(0n);
  });

  test("as printf escapes", () => {
    expect(printfEscapes(Buffer.from([0, 0x26, 0x4e]))).toBe("\\x00\\x26\\x4e");
  });
});

describe("judgeProbe", () => {
  const e = "rabbitmq-1.rabbitmq-nodes.ns.svc.cluster.local:25672";

  test("a plaintext node's status reply is accepted, with its status", () => {
    const out = `${e} connected 0003736f6b001f4e0000006d07df7fbdbb46b8e36b159dc0000c726162626974\n`;
    expect(judgeProbe(out, [e])).toEqual([
      { endpoint: e, outcome: "accepted", how: 'a plaintext handshake was answered "ok"' },
    ]);
  });

  test("a TLS alert or a close without reply is refused", () => {
    expect(judgeProbe(`${e} connected 1503030002020a`, [e])[0]?.outcome).toBe("refused");
    expect(judgeProbe(`${e} connected `, [e])[0]?.how).toBe("closed without a plaintext reply");
  });

  test("no connection, or no line for the endpoint, is unreached: nothing was proven", () => {
    expect(judgeProbe(`${e} not-connected`, [e])[0]?.outcome).toBe("unreached");
    expect(judgeProbe("bash: timeout: command not found", [e])[0]?.how).toBe("no result from the probe");
  });
});

describe("distributionProblems", () => {
  test("every outcome but refused fails the check, naming where it was probed from", () => {
    expect(
      distributionProblems([
        { endpoint: "a:1", outcome: "refused", how: "answered with a TLS alert" },
        { endpoint: "b:1", outcome: "accepted", how: 'a plaintext handshake was answered "ok"', from: "rabbitmq-0" },
        { endpoint: "c:1", outcome: "unreached", how: "could not connect" },
      ]),
    ).toEqual(['rabbitmq-0 → b:1: a plaintext handshake was answered "ok"', "c:1: could not connect"]);
  });
});
