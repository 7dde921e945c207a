// A quorum queue is healthy with all its members online: counted, not assumed from the member list.
import { queueMemberProblems } from "../rabbitmq";

describe("a quorum queue's members", () => {
  const members = ["rabbit@rabbitmq-0", "rabbit@rabbitmq-1", "rabbit@rabbitmq-2"];

  it("all three on running nodes: nothing wrong", () => {
    expect(queueMemberProblems("mp-smoke", members, new Set(members), 3)).toEqual([]);
  });

  it("a member whose node is down is not online, though it is still a member", () => {
    const running = new Set(members.slice(0, 2));
    expect(queueMemberProblems("mp-smoke", members, running, 3)).toEqual([
      "queue mp-smoke: 2 of 3 members online (rabbit@rabbitmq-2 down)",
    ]);
  });

  it("fewer members than promised", () => {
    expect(queueMemberProblems("mp-smoke", members.slice(0, 2), new Set(members), 3)).toEqual([
      "queue mp-smoke has 2 members, expected 3",
    ]);
  });
});
