import { type PreviewOptions, Stack, type UpOptions, type Workspace } from "@pulumi/pulumi/automation";
import { deleteJobBeforeReplace } from "../../../infra/components/smoke-gate";
import {
  type GateJobInState,
  gateJobsInState,
  type LiveJob,
  previousGateOptions,
  previousGateRun,
  type StateResource,
} from "../gate-failed";

// The stack `cluster` as `pulumi stack export` lists it after a failed gate (trimmed to the fields read).
const stack = "urn:pulumi:cluster::messaging-platform::";
const gateChart = "messaging-platform:gate:SmokeGateJob$kubernetes:helm.sh/v4:Chart";
const jobUrn = `${stack}${gateChart}$kubernetes:batch/v1:Job::smoke-gate:messaging-smoke/smoke-gate-run-3f9c2a1b0d4e`;
const gateJob = (over: Partial<StateResource> = {}): StateResource => ({
  urn: jobUrn,
  type: "kubernetes:batch/v1:Job",
  inputs: { metadata: { name: "smoke-gate-run-3f9c2a1b0d4e", namespace: "messaging-smoke" } },
  outputs: { metadata: { name: "smoke-gate-run-3f9c2a1b0d4e", namespace: "messaging-smoke" } },
  ...over,
});
const state: StateResource[] = [
  { urn: `${stack}pulumi:pulumi:Stack::messaging-platform-cluster`, type: "pulumi:pulumi:Stack" },
  { urn: `${stack}messaging-platform:gate:SmokeGateJob::smoke-gate`, type: "messaging-platform:gate:SmokeGateJob" },
  {
    urn: `${stack}${gateChart}$kubernetes:core/v1:ServiceAccount::smoke-gate:messaging-smoke/smoke-gate`,
    type: "kubernetes:core/v1:ServiceAccount",
    outputs: { metadata: { name: "smoke-gate", namespace: "messaging-smoke" } },
  },
  // A Job of another chart is not the gate's.
  {
    urn: `${stack}messaging-platform:kafka:KafkaCluster$kubernetes:helm.sh/v4:Chart$kubernetes:batch/v1:Job::kafka:kafka/kafka-topics`,
    type: "kubernetes:batch/v1:Job",
    outputs: { metadata: { name: "kafka-topics", namespace: "kafka" } },
  },
  gateJob(),
];

const inState: GateJobInState = {
  urn: jobUrn,
  namespace: "messaging-smoke",
  name: "smoke-gate-run-3f9c2a1b0d4e",
};
/** The Job's status as `GET …/jobs/<name>` returns it. */
const failed: LiveJob = {
  status: { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" } as never] },
};
const replaceLine =
  "the previous gate run messaging-smoke/smoke-gate-run-3f9c2a1b0d4e failed: replacing it so this deploy's gate runs again";

describe("a deploy after a failed gate with unchanged inputs runs the gate again", () => {
  it("finds the gate Job in the stack's state, with the URN --replace takes, and no other Job", () => {
    expect(gateJobsInState(state)).toEqual([inState]);
  });

  it("finds none when the stack has no in-cluster gate, and skips a Job the engine holds only to delete", () => {
    expect(gateJobsInState(state.slice(0, 4))).toEqual([]);
    expect(gateJobsInState([gateJob({ delete: true })])).toEqual([]);
  });

  it("reads a Job that failed to initialize from its inputs", () => {
    expect(gateJobsInState([gateJob({ outputs: undefined })])).toEqual([inState]);
  });

  it("refuses a gate Job in the state without a namespace, naming the field and the value", () => {
    expect(() => gateJobsInState([gateJob({ inputs: { metadata: { name: "x" } }, outputs: undefined })])).toThrow(
      `stack state, ${jobUrn}: metadata.namespace = undefined: a gate Job in the state must carry its namespace`,
    );
  });

  it("a failed Job (Failed=True, BackoffLimitExceeded) is replaced, and the deploy says so in one line", () => {
    expect(previousGateRun(inState, failed)).toEqual({ action: "replace", urn: jobUrn, line: replaceLine });
  });

  it("a Job that counts a failed pod and no success is replaced too (no condition written yet)", () => {
    expect(previousGateRun(inState, { status: { failed: 1 } })).toMatchObject({ action: "replace", urn: jobUrn });
  });

  it("a Job that succeeded, or is still running, is left to up (and the re-run of gate-rerun.ts)", () => {
    const succeeded: LiveJob = { status: { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] } };
    expect(previousGateRun(inState, succeeded)).toEqual({
      action: "keep",
      job: `${inState.namespace}/${inState.name}`,
    });
    expect(previousGateRun(inState, { status: { active: 1 } as never }).action).toBe("keep");
    expect(previousGateRun(inState, {}).action).toBe("keep");
  });

  it("a Job deleted by hand makes the preview refresh first, or it cannot diff what the state still holds", () => {
    expect(previousGateRun(inState, undefined)).toEqual({
      action: "refresh",
      line: "the previous gate run messaging-smoke/smoke-gate-run-3f9c2a1b0d4e is gone from the cluster: refreshing before the preview so that this deploy creates it again",
    });
  });

  it("the preview and up replace the failed Job; only the preview adds a refresh for a lost one", () => {
    expect(previousGateOptions([])).toEqual({ preview: {}, up: {} });
    expect(previousGateOptions([{ action: "keep", job: "a/b" }])).toEqual({ preview: {}, up: {} });
    expect(previousGateOptions([previousGateRun(inState, failed)])).toEqual({
      preview: { replace: [jobUrn] },
      up: { replace: [jobUrn] },
    });
    expect(previousGateOptions([previousGateRun(inState, undefined)])).toEqual({ preview: { refresh: true }, up: {} });
  });
});

describe("the Pulumi command lines those options become (Automation API, no Pulumi run)", () => {
  /** The argv the Automation API would run `pulumi` with: its command runner replaced by one that records and stops. */
  async function argv(run: (s: Stack) => Promise<unknown>): Promise<string[]> {
    const workspace = { selectStack: async () => undefined } as unknown as Workspace;
    const s = await Stack.select("cluster", workspace);
    let seen: string[] = [];
    const runner = jest.spyOn(s as unknown as { runPulumiCmd: (a: string[]) => Promise<never> }, "runPulumiCmd");
    runner.mockImplementation(async (args: string[]) => {
      seen = args;
      throw new Error("recorded");
    });
    await expect(run(s)).rejects.toThrow("recorded");
    return seen;
  }
  const pairs = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
  const options = previousGateOptions([previousGateRun(inState, failed)]);

  it("pulumi up --refresh --replace <the failed Job's URN>", async () => {
    const args = await argv((s) => s.up({ ...options.up, refresh: true } satisfies UpOptions));
    expect(args.slice(0, 3)).toEqual(["up", "--yes", "--skip-preview"]);
    expect(args).toContain("--refresh");
    expect(pairs(args, "--replace")).toEqual([jobUrn]);
  });

  it("pulumi preview --replace <the failed Job's URN>; and --refresh when the Job is gone", async () => {
    const replacing = await argv((s) => s.preview(options.preview satisfies PreviewOptions));
    expect(replacing[0]).toBe("preview");
    expect(pairs(replacing, "--replace")).toEqual([jobUrn]);
    expect(replacing).not.toContain("--refresh");
    const lost = previousGateOptions([previousGateRun(inState, undefined)]);
    const refreshing = await argv((s) => s.preview(lost.preview));
    expect(refreshing).toContain("--refresh");
    expect(refreshing).not.toContain("--replace");
  });

  it("a deploy with nothing to replace passes no --replace", async () => {
    const args = await argv((s) => s.up({ ...previousGateOptions([]).up, refresh: true }));
    expect(args).not.toContain("--replace");
  });
});

describe("the program deletes the gate Job before creating its replacement (same name)", () => {
  const base = { custom: true, name: "smoke-gate:messaging-smoke/smoke-gate-run-3f9c2a1b0d4e", props: {}, opts: {} };

  it("the chart's Job: deleteBeforeReplace, its other options kept", () => {
    const opts = { protect: false, dependsOn: [] };
    expect(deleteJobBeforeReplace({ ...base, type: "kubernetes:batch/v1:Job", opts })).toEqual({
      props: {},
      opts: { ...opts, deleteBeforeReplace: true },
    });
  });

  it("every other object of the chart is left as it is", () => {
    for (const type of ["kubernetes:core/v1:ServiceAccount", "kubernetes:networking.k8s.io/v1:NetworkPolicy"])
      expect(deleteJobBeforeReplace({ ...base, type })).toBeUndefined();
  });
});
