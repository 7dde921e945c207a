import { e2eStopsEmbedded } from "../embedded-owner";

describe("e2e stops the embedded default only when it started it", () => {
  it("nothing ran before e2e's embedded up: e2e stops it at its end, also when the up failed halfway", () => {
    expect(e2eStopsEmbedded([], true)).toBe(true);
  });

  it("already running (someone's `npm run embedded:up`): left running", () => {
    expect(e2eStopsEmbedded(["namespace mp-kafka-0", "bridge mpbr0"], true)).toBe(false);
  });

  it("e2e never got to its embedded up (the cluster deploy failed): nothing to stop", () => {
    expect(e2eStopsEmbedded([], false)).toBe(false);
  });
});
