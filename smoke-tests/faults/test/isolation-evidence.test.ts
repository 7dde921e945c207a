import {
  heldInodes,
  judgeIsolation,
  judgeOwnConnections,
  judgePath,
  judgeReach,
  type PathEvidence,
  peersElectedWithout,
  readHeld,
  readOwnConnections,
} from "../isolation-evidence";

describe("isolation counts only when a peer cannot get in", () => {
  it("isolated: nothing open while the broker runs (a refusal is then the policy's REJECT)", () => {
    expect(judgeReach("9092 refused\n9094 blocked\n", [9092, 9094], true)).toEqual({
      isolated: true,
      detail: "9092 refused, 9094 blocked",
    });
  });

  it("not isolated: one port open (the lone deny-all case: the charts' allow still admits peers)", () => {
    expect(judgeReach("9092 open\n9094 refused\n", [9092, 9094], true).isolated).toBe(false);
  });

  it("not isolated: the broker is not running, so a refusal proves nothing; nor a port the probe did not answer", () => {
    expect(judgeReach("9092 refused\n", [9092], false)).toEqual({
      isolated: false,
      detail: "9092 refused; the broker's container is not running",
    });
    expect(judgeReach("9092 refused\n", [9092, 9094], true).isolated).toBe(false);
  });
});

describe("peersElectedWithout: RabbitMQ's own view of an isolated node", () => {
  const member = (host: string, state: string, term: number) =>
    `{"Node Name":"rabbit@${host}.rabbitmq-nodes.rabbitmq","Raft State":"${state}","Term":${term}}`;
  const status = (...m: string[]) => `[\n${m.join("\n,")}\n]`;

  it("seen down once a peer leads the queue", () => {
    const out = status(
      member("rabbitmq-0", "timeout", 4),
      member("rabbitmq-1", "follower", 5),
      member("rabbitmq-2", "leader", 5),
    );
    expect(peersElectedWithout(out, "rabbitmq-0")).toEqual({
      seen: true,
      detail: "rabbitmq-0 timeout (term 4), rabbitmq-1 follower (term 5), rabbitmq-2 leader (term 5)",
    });
  });

  it("not seen while the isolated node is still the leader its peers know (rabbitmq-1 is not rabbitmq-10)", () => {
    expect(
      peersElectedWithout(status(member("rabbitmq-1", "leader", 4), member("rabbitmq-2", "follower", 4)), "rabbitmq-1")
        ?.seen,
    ).toBe(false);
    expect(peersElectedWithout(status(member("rabbitmq-10", "leader", 4)), "rabbitmq-1")?.seen).toBe(true);
  });

  it("no answer when the CLI could not ask", () => {
    expect(
      peersElectedWithout("Error: unable to perform an operation on node 'rabbit@x'", "rabbitmq-1"),
    ).toBeUndefined();
    expect(peersElectedWithout("[not json]", "rabbitmq-1")).toBeUndefined();
  });
});

describe("paths an isolation must cut: new connections and the ones held across the fault", () => {
  const phase1 = "9092 held 4711\n9094 held 4712\n9404 not-open refused\nready\n";
  const path = (held: string, fresh = "9092 refused\n9094 blocked\n9404 refused\n"): PathEvidence => ({
    path: "kafka-broker-0 → kafka-broker-1",
    ports: [9092, 9094, 9404],
    fresh,
    held,
    listening: true,
  });

  it("readHeld: each port's fate, from both phases", () => {
    expect(
      readHeld(`${phase1}9092 cut unacked=00000007 retransmits=00000003\n9094 gone\n`, [9092, 9094, 9404]),
    ).toEqual([
      { port: 9092, outcome: "cut", note: "unacked=00000007 retransmits=00000003" },
      { port: 9094, outcome: "gone", note: "" },
      { port: 9404, outcome: "not-open", note: "refused" },
    ]);
    // The session ended before the probe (the exec failed): held, never probed.
    expect(readHeld(phase1, [9092])).toEqual([{ port: 9092, outcome: "no answer", note: "held, never probed" }]);
  });

  it("cut: nothing new gets in, every held connection left unacknowledged", () => {
    const j = judgePath(
      path(`${phase1}9092 cut unacked=00000007 retransmits=00000003\n9094 cut unacked=00000007 retransmits=00000002\n`),
    );
    expect(j.cut).toBe(true);
    expect(j.detail).toBe(
      "kafka-broker-0 → kafka-broker-1: new 9092 refused, 9094 blocked, 9404 refused; open since before 9092 cut (unacked=00000007 retransmits=00000003), 9094 cut (unacked=00000007 retransmits=00000002)",
    );
  });

  it("not cut: a connection open since before still acknowledged (the policy judged new connections only)", () => {
    const j = judgePath(path(`${phase1}9092 through acked\n9094 cut unacked=00000007 retransmits=00000002\n`));
    expect(j.cut).toBe(false);
    expect(j.detail).toContain("9092 through (acked)");
    expect(judgePath(path(`${phase1}9092 through reset\n9094 cut unacked=1 retransmits=1\n`)).cut).toBe(false);
  });

  it("not cut: a new connection gets in, though the held ones are cut", () => {
    const held = `${phase1}9092 cut unacked=7 retransmits=3\n9094 cut unacked=7 retransmits=3\n`;
    expect(judgePath(path(held, "9092 open\n9094 blocked\n9404 refused\n")).cut).toBe(false);
  });

  it("not cut: nothing held to probe, or a held connection never probed", () => {
    const none = judgePath(path("9092 not-open blocked\n9094 not-open blocked\n9404 not-open refused\nready\n"));
    expect(none.cut).toBe(false);
    expect(none.detail).toContain("no connection held across the fault to probe");
    expect(judgePath(path(`${phase1}9094 gone\n`)).cut).toBe(false);
    expect(judgePath(path(`${phase1}9092 cut unacked=7 retransmits=3\n`)).cut).toBe(false);
  });

  it("isolated only when every path is cut; the passing paths named first", () => {
    const cut = path(`${phase1}9092 cut unacked=7 retransmits=3\n9094 cut unacked=7 retransmits=3\n`);
    const leak = {
      ...path(`${phase1}9092 through acked\n9094 cut unacked=7 retransmits=3\n`),
      path: "drill → kafka-broker-1",
    };
    expect(judgeIsolation([cut, cut]).isolated).toBe(true);
    const j = judgeIsolation([cut, leak]);
    expect(j.isolated).toBe(false);
    expect(j.detail.startsWith("drill → kafka-broker-1: ")).toBe(true);
    expect(judgeIsolation([])).toEqual({ isolated: false, detail: "no path probed" });
  });

  it("heldInodes: the probe's own sockets, to leave out of the drill's", () => {
    expect(heldInodes(phase1)).toEqual(["4711", "4712"]);
  });

  it("readOwnConnections: each socket's inode and last ACK, from ss -tinHe", () => {
    const out = [
      "ESTAB 0      0      10.214.0.1:34234 10.244.2.5:9092  timer:(keepalive,51sec,0) ino:6732639 sk:11 cgroup:/ <->",
      "\t ts sack bbr wscale:1,10 rto:216 bytes_acked:14142 lastsnd:2308 lastrcv:2480 lastack:2264 pacing_rate 1bps",
      "ESTAB 0      7      10.214.0.1:34292 10.244.2.5:9092  ino:6733652 sk:12 cgroup:/ <->",
      "\t ts sack bbr wscale:1,10 rto:224 lastsnd:80",
    ].join("\n");
    expect(readOwnConnections(out)).toEqual([
      { inode: "6732639", lastAckMs: 2264 },
      // No lastack shown: ss omits a zero, so "just now".
      { inode: "6733652", lastAckMs: 0 },
    ]);
  });

  it("judgeOwnConnections: cut when none of the drill's connections open at landing heard from the pod since", () => {
    const atLanding = [
      { inode: "1", lastAckMs: 20 },
      { inode: "2", lastAckMs: 300 },
      { inode: "4711", lastAckMs: 10 },
    ];
    // 9 s later: 1 closed by the client, 2 silent for longer than that, the probe's own 4711 left out.
    const cut = judgeOwnConnections(
      atLanding,
      [
        { inode: "2", lastAckMs: 9_300 },
        { inode: "4711", lastAckMs: 5 },
      ],
      9_000,
      ["4711"],
    );
    expect(cut).toEqual({
      cut: true,
      detail:
        "the drill's own connections to it when the fault landed: 2; 9 s later 1 closed by the clients, 1 open, 0 of them acknowledged since",
    });
    // An ACK 2 s ago, 9 s after landing: the pod still answers the drill's clients.
    const through = judgeOwnConnections(atLanding, [{ inode: "2", lastAckMs: 2_000 }], 9_000);
    expect(through.cut).toBe(false);
    expect(through.detail).toContain("1 of them acknowledged since (last ACK 2000 ms ago)");
    // Within the grace: an ACK already under way when the fault landed.
    expect(judgeOwnConnections(atLanding, [{ inode: "2", lastAckMs: 8_700 }], 9_000).cut).toBe(true);
  });
});
