import { launcherChoice, launcherFor } from "../choose-launcher";

const inGatePod = {
  KUBERNETES_SERVICE_HOST: "10.96.0.1",
  MP_POD_NAME: "mp-smoke-gate-run-0123456789ab-x7k2p",
  MP_POD_NAMESPACE: "messaging-smoke",
  MP_WORKER_COLLECTOR: "mp-smoke-gate-collector.messaging-smoke.svc:7070",
};

describe("where a run's workers go", () => {
  it("in the gate's pod against a Kubernetes target, more than one: the pods of an Indexed Job", () => {
    expect(launcherChoice(inGatePod, "kubernetes", 3)).toEqual({
      kind: "kubernetes",
      place: {
        pod: { name: "mp-smoke-gate-run-0123456789ab-x7k2p", namespace: "messaging-smoke" },
        collector: { host: "mp-smoke-gate-collector.messaging-smoke.svc", port: 7070 },
      },
    });
    const launcher = launcherFor(launcherChoice(inGatePod, "kubernetes", 3));
    // Every address of the pod (the Service routes to it), on the chart's port; the workers dial the Service.
    expect(launcher.collector).toEqual({
      host: undefined,
      port: 7070,
      advertised: "mp-smoke-gate-collector.messaging-smoke.svc",
    });
    expect(launcher.killHow).toBe("killed (its pod deleted with grace period 0)");
  });

  it.each([
    [
      "a drill from the workstation (not in a pod)",
      { ...inGatePod, KUBERNETES_SERVICE_HOST: undefined },
      "kubernetes",
      3,
    ],
    ["the embedded default, even in a pod", inGatePod, "embedded", 3],
    ["one worker: no pool at all", inGatePod, "kubernetes", 1],
  ] as const)("%s: processes of this machine, the collector on loopback", (_, env, placement, count) => {
    expect(launcherChoice(env, placement, count)).toEqual({ kind: "processes" });
    expect(launcherFor({ kind: "processes" }).collector).toEqual({
      host: "127.0.0.1",
      port: 0,
      advertised: "127.0.0.1",
    });
  });

  it("in a pod the chart did not prepare for workers: refused naming each variable, its value and the rule", () => {
    const bare = { KUBERNETES_SERVICE_HOST: "10.96.0.1" };
    expect(() => launcherChoice(bare, "kubernetes", 3)).toThrow(
      '3 workers in a pod run as an Indexed Job, which needs: MP_POD_NAME = "" must be the gate pod\'s name (a DNS subdomain): charts/smoke-gate sets it in the gate\'s pod when its value workers is above 1 (stack config gate.workers); MP_POD_NAMESPACE = "" must be',
    );
    expect(() => launcherChoice({ ...inGatePod, MP_WORKER_COLLECTOR: "gate:80" }, "kubernetes", 2)).toThrow(
      'MP_WORKER_COLLECTOR = "gate:80" must be <host>:<port> of the gate\'s collector Service (a DNS name and a port from 1024 to 65535)',
    );
    expect(() => launcherChoice({ ...inGatePod, MP_WORKER_COLLECTOR: "Gate_1:7070" }, "kubernetes", 2)).toThrow(
      'MP_WORKER_COLLECTOR = "Gate_1:7070"',
    );
  });
});
