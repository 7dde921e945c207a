import { judgeReach, peersElectedWithout } from "../isolation-evidence";

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
