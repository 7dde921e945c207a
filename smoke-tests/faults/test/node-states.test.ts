// The nodes' states for the report's timeline: each read folded into a state per node, the reads into segments per
// node, and the sampler that never lets a failed or hung read break a drill.
import { type NodeReading, type NodeSample, nodeSegments, nodeState, watchNodeStates } from "../node-states";

const ready = (name: string, unschedulable = false): NodeReading => ({ name, ready: "True", unschedulable });
const notReady = (name: string, status = "False", unschedulable = false): NodeReading => ({
  name,
  ready: status,
  unschedulable,
});

describe("a node's state from one read", () => {
  test("Ready only with a Ready condition True; False and Unknown are NotReady; a cordon is added to either", () => {
    expect(nodeState(ready("n1"))).toBe("Ready");
    expect(nodeState(notReady("n1", "False"))).toBe("NotReady");
    expect(nodeState(notReady("n1", "Unknown"))).toBe("NotReady");
    expect(nodeState(ready("n1", true))).toBe("Ready, cordoned");
    expect(nodeState(notReady("n1", "Unknown", true))).toBe("NotReady, cordoned");
  });
});

describe("segments per node", () => {
  test("a node that goes NotReady and back: three segments, equal neighbours merged, the last until the end", () => {
    const samples: NodeSample[] = [
      { atMs: 0, nodes: [ready("n1"), ready("n2")] },
      { atMs: 1000, nodes: [ready("n1"), ready("n2")] },
      { atMs: 2000, nodes: [ready("n1"), notReady("n2", "Unknown")] },
      { atMs: 3000, nodes: [ready("n1"), notReady("n2")] },
      { atMs: 4000, nodes: [ready("n1"), ready("n2")] },
    ];
    expect(nodeSegments(samples, 5000)).toEqual([
      { node: "n1", segments: [{ state: "Ready", fromMs: 0, toMs: 5000 }] },
      {
        node: "n2",
        segments: [
          { state: "Ready", fromMs: 0, toMs: 2000 },
          { state: "NotReady", fromMs: 2000, toMs: 4000 },
          { state: "Ready", fromMs: 4000, toMs: 5000 },
        ],
      },
    ]);
  });

  test("a cordoned node, then one no longer listed is gone; a node listed only later starts its lane there", () => {
    const samples: NodeSample[] = [
      { atMs: 0, nodes: [ready("n1"), ready("n2")] },
      { atMs: 1000, nodes: [ready("n1"), ready("n2", true)] },
      { atMs: 2000, nodes: [ready("n1")] },
      { atMs: 3000, nodes: [ready("n1"), notReady("n3")] },
    ];
    const lanes = nodeSegments(samples, 4000);
    expect(lanes.map((l) => l.node)).toEqual(["n1", "n2", "n3"]);
    expect(lanes[1]?.segments).toEqual([
      { state: "Ready", fromMs: 0, toMs: 1000 },
      { state: "Ready, cordoned", fromMs: 1000, toMs: 2000 },
      { state: "gone", fromMs: 2000, toMs: 4000 },
    ]);
    expect(lanes[2]?.segments).toEqual([{ state: "NotReady", fromMs: 3000, toMs: 4000 }]);
  });

  test("a failed read is unknown for every node until the next read, never gone or Ready", () => {
    const samples: NodeSample[] = [
      { atMs: 0, nodes: [ready("n1"), ready("n2")] },
      { atMs: 1000 },
      { atMs: 2500, nodes: [ready("n1"), ready("n2")] },
    ];
    for (const lane of nodeSegments(samples, 3000))
      expect(lane.segments).toEqual([
        { state: "Ready", fromMs: 0, toMs: 1000 },
        { state: "unknown", fromMs: 1000, toMs: 2500 },
        { state: "Ready", fromMs: 2500, toMs: 3000 },
      ]);
  });

  test("a single read holds until the end; reads out of order are put in order; no read, no lane", () => {
    expect(nodeSegments([{ atMs: 700, nodes: [notReady("n1")] }], 900)).toEqual([
      { node: "n1", segments: [{ state: "NotReady", fromMs: 700, toMs: 900 }] },
    ]);
    const shuffled: NodeSample[] = [
      { atMs: 1000, nodes: [notReady("n1")] },
      { atMs: 0, nodes: [ready("n1")] },
    ];
    expect(nodeSegments(shuffled, 2000)[0]?.segments.map((s) => s.state)).toEqual(["Ready", "NotReady"]);
    expect(nodeSegments([], 1000)).toEqual([]);
    expect(nodeSegments([{ atMs: 0 }], 1000)).toEqual([]);
  });
});

describe("the sampler", () => {
  test("a read that throws and one that hangs are counted as unanswered, and the sampling goes on to the stop", async () => {
    let calls = 0;
    let thirdAnswered: () => void = () => undefined;
    const answeredThree = new Promise<void>((resolve) => {
      thirdAnswered = resolve;
    });
    const read = async (): Promise<NodeReading[]> => {
      calls++;
      if (calls === 1) throw new Error("connection refused");
      if (calls === 2) return new Promise<NodeReading[]>(() => undefined);
      if (calls >= 3) thirdAnswered();
      return [ready("n1")];
    };
    const watch = watchNodeStates(read, Date.now(), { intervalMs: 1, timeoutMs: 20 });
    await answeredThree;
    const seen = await watch.stop();
    expect(seen.failedReads).toBe(2);
    expect(seen.reads).toBeGreaterThanOrEqual(3);
    expect(seen.lastError).toBe("no answer within 0.02 s");
    expect(seen.lanes.map((l) => l.node)).toEqual(["n1"]);
    expect(seen.lanes[0]?.segments[0]?.state).toBe("unknown");
    expect(seen.lanes[0]?.segments.at(-1)?.state).toBe("Ready");
  });
});
