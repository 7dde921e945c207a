// The drill request's pieces read from flags, and the systems a request drills: checked before the target is touched,
// each refusal naming the flag, the value and the rule.
import { laneShare } from "../../clients/lanes";
import { drillLoad, drillWorkload } from "../drill-workload";
import { drillSettings, kafkaClientsFrom, rateFrom, systemsFrom, unsafeFrom, workersFrom } from "../flags";
import { drilledSystems, workersProblem } from "../run-scenario";
import { nodeFreezeProblem, scenarioNamed } from "../scenarios";

describe("the drill flags", () => {
  it("default to three rounds, 15 s faults, kafkajs, 1000 msg/s, durable", () => {
    expect(drillSettings([])).toEqual({
      steadyMs: 5_000,
      faultMs: 15_000,
      afterMs: 5_000,
      rounds: 3,
      healthTimeoutMs: 120_000,
      recoveryBoundMs: 30_000,
    });
    expect(kafkaClientsFrom([])).toEqual(["kafkajs"]);
    expect(rateFrom([])).toBe(1000);
    expect(unsafeFrom([])).toBeUndefined();
    expect(systemsFrom([])).toBeUndefined();
  });

  it("a scenario's own fault length is the default, --fault-seconds still wins; node-freeze must outlast 50 s", () => {
    const freeze = scenarioNamed("node-freeze").defaultFaultSeconds;
    expect(drillSettings([], freeze).faultMs).toBe(90_000);
    expect(drillSettings(["--fault-seconds", "60"], freeze).faultMs).toBe(60_000);
    expect(nodeFreezeProblem(60_000)).toBeUndefined();
    expect(nodeFreezeProblem(50_000)).toMatch(
      /^--fault-seconds 50: a node freeze must outlast the node-monitor grace period \(50 s\)/,
    );
  });

  it("read every value given", () => {
    const argv = ["--rounds", "1", "--fault-seconds", "20", "--kafka-clients", "all", "--rate", "300"];
    expect(drillSettings(argv)).toMatchObject({ rounds: 1, faultMs: 20_000 });
    expect(kafkaClientsFrom(argv)).toEqual(["kafkajs", "librdkafka", "platformatic"]);
    expect(rateFrom(argv)).toBe(300);
    expect(unsafeFrom(["--unsafe", "acks-leader"])).toBe("acks-leader");
    expect(systemsFrom(["--system", "kafka,rabbitmq"])).toEqual(["kafka", "rabbitmq"]);
    expect(drillSettings(["--kill", "crash-restart"]).kill).toBe("crash-restart");
    expect(drillSettings(["--kill", "hold-down"]).kill).toBe("hold-down");
    expect(drillSettings(["--hold-for-alerts", "true"]).holdForAlerts).toBe(true);
    expect(drillSettings(["--hold-for-alerts", "false"]).holdForAlerts).toBe(false);
    expect(drillSettings(["--node", "cluster-node-2"]).node).toBe("cluster-node-2");
  });

  it("refuse what they do not know, naming flag and value", () => {
    expect(() => unsafeFrom(["--unsafe", "no-acks"])).toThrow("--unsafe = no-acks is not a known unsafe setup");
    expect(() => systemsFrom(["--system", "kafka,nats"])).toThrow("--system = nats is not kafka or rabbitmq");
    expect(() => drillSettings(["--kill", "sigterm"])).toThrow("--kill = sigterm is not a kill mode");
    expect(() => drillSettings(["--hold-for-alerts", "yes"])).toThrow("--hold-for-alerts = yes must be true or false");
    expect(() => drillSettings(["--node", "Node_2"])).toThrow(
      "--node = Node_2 is not a node name (lower-case letters, digits and '-', e.g. cluster-node-2)",
    );
    expect(() => kafkaClientsFrom(["--kafka-client", "kafkajs", "--kafka-clients", "all"])).toThrow(
      "give one or the other",
    );
  });
});

describe("the systems a request drills", () => {
  it("are the scenario's, or those asked for that it applies to", () => {
    expect(drilledSystems(scenarioNamed("kill-leader"))).toEqual(["kafka", "rabbitmq"]);
    expect(drilledSystems(scenarioNamed("kill-controller"), ["kafka", "rabbitmq"])).toEqual(["kafka"]);
  });

  it("none is an error naming what the scenario applies to", () => {
    expect(() => drilledSystems(scenarioNamed("kill-controller"), ["rabbitmq"])).toThrow(
      "--system = rabbitmq: kill-controller applies to kafka",
    );
  });
});

describe("the drill load", () => {
  it("is 2 publishers, batches of 20 × 1 KiB, 4 in flight, at the rate asked", () => {
    expect(drillWorkload(700)).toEqual({
      workload: { messageBytes: 1024, batchSize: 20, inFlightBatches: 4, ratePerSec: 700 },
      publishers: 2,
    });
    expect(drillLoad.publishers).toBe(2);
  });

  it("keeps a batch in flight per partition when the topic has more partitions than 4, so each lane owns one", () => {
    expect(drillWorkload(700, 3).workload.inFlightBatches).toBe(4);
    expect(drillWorkload(700, 8).workload.inFlightBatches).toBe(8);
    const lanes = drillWorkload(700, 8).workload.inFlightBatches;
    const partitions = [0, 1, 2, 3, 4, 5, 6, 7];
    for (let index = 0; index < lanes; index++) expect(laneShare(partitions, { index, count: lanes })).toHaveLength(1);
  });
});

describe("the workers of a drill", () => {
  it("default to one, in this process, and read --workers and --kill-worker", () => {
    expect(workersFrom([])).toEqual({ count: 1 });
    expect(workersFrom(["--workers", "3", "--kill-worker", "2"])).toEqual({ count: 3, killAtFault: 2 });
  });

  it.each([
    [["--workers", "0"], "--workers = 0 must be an integer from 1 to 64"],
    [["--workers", "-1"], "--workers = -1 must be an integer from 1 to 64"],
    [["--workers", "1.5"], "--workers = 1.5 must be an integer from 1 to 64"],
    [["--workers", "65"], "--workers = 65 must be an integer from 1 to 64"],
    [["--workers", "two"], "--workers = two must be an integer from 1 to 64"],
    [["--workers", "2", "--kill-worker", "2"], "--kill-worker = 2 must name one of the 2 workers (0 to 1)"],
    [["--kill-worker", "0"], "--kill-worker = 0 needs --workers 2 or more: a drill does not kill its only load"],
    [
      ["--workers", "2", "--unsafe", "acks-leader"],
      "--workers = 2 with --unsafe: an unsafe setup recreates its topic or queue for each client, which workers cannot share",
    ],
  ])("refuse %j naming flag, value and rule", (argv, message) => {
    expect(() => workersFrom(argv)).toThrow(message);
  });

  it("refuse a scenario on a destination of its own (rolling-update), and allow kill-leader", () => {
    expect(workersProblem(scenarioNamed("rolling-update"), { count: 2 })).toMatch(
      /^--workers = 2: rolling-update runs on a topic or queue of its own/,
    );
    expect(workersProblem(scenarioNamed("kill-leader"), { count: 2 })).toBeUndefined();
    expect(workersProblem(scenarioNamed("rolling-update"), { count: 1 })).toBeUndefined();
  });
});
