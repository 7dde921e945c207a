// The smoke-gate runner image, built here without Docker from smoke-tests/Dockerfile: the Dockerfile reading and the
// runtime spec as pure functions, then the real thing: build it, check the OCI archive, and run it with runc exactly
// as charts/smoke-gate's Job runs it (command, env, volumes), against the embedded default.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Any, render } from "../../charts/test/support";
import { defaultGateSettings } from "../../contract/gate-settings";
import type { Target } from "../../contract/target";
import { up } from "../../embedded/environment";
import { embeddedTarget } from "../../embedded/target";
import { run } from "../../toolchain/src/exec";
import { type BuiltImage, buildImage, dockerfile, ignoreRules, imageName } from "../build";
import { envPairs, parseDockerfile } from "../dockerfile";
import { writeOciArchive } from "../oci";
import { runContainer, runtimeSpec } from "../run";

describe("reading a Dockerfile", () => {
  it("joins continuations, skips comments, keeps exec and shell forms", () => {
    const steps = parseDockerfile(
      ["# c", "FROM node:1-x", "RUN a \\", "  # inside", "  && b", "ENV A=1 \\", '    B="two"', 'CMD ["x", "y"]'].join(
        "\n",
      ),
    );
    expect(steps.map((s) => [s.op, s.args, s.line])).toEqual([
      ["FROM", ["node:1-x"], 2],
      ["RUN", ["a && b"], 3],
      ["ENV", ["A=1", 'B="two"'], 6],
      ["CMD", ["x", "y"], 8],
    ]);
    expect(envPairs(["A=1", 'B="two"'])).toEqual([
      ["A", "1"],
      ["B", "two"],
    ]);
  });

  it("reads the project's Dockerfile with only instructions the Docker-free build applies", () => {
    const ops = new Set(parseDockerfile(readFileSync(dockerfile, "utf8")).map((s) => s.op));
    expect(
      [...ops].every((op) => ["FROM", "WORKDIR", "COPY", "RUN", "USER", "ENV", "ENTRYPOINT", "CMD"].includes(op)),
    ).toBe(true);
  });

  it(".dockerignore: a plain pattern is anchored at the context root, **/ matches at any depth", () => {
    const lines = ["# x", "reports", "**/node_modules", "docs"];
    expect(ignoreRules(lines, "smoke-tests")).toEqual({ skip: false, tarExcludes: ["node_modules"] });
    expect(ignoreRules(lines, "reports")).toMatchObject({ skip: true });
    expect(ignoreRules(lines, "docs/a.png")).toMatchObject({ skip: true });
    expect(ignoreRules(lines, "node_modules")).toMatchObject({ skip: true });
  });
});

describe("the runtime spec", () => {
  const image: BuiltImage = {
    dir: "/i",
    rootfs: "/i/rootfs",
    config: {
      User: "1000:1000",
      Env: ["PATH=/bin", "CI=false"],
      WorkingDir: "/app",
      Entrypoint: ["node", "x.ts"],
      Cmd: [],
    },
  };
  const spec = runtimeSpec(
    image,
    { env: { CI: "true" }, mounts: [{ destination: "/tmp" }, { destination: "/r", source: "/host/r" }], timeoutMs: 1 },
    "/run/netns/n",
  ) as Any;

  it("runs as the image's user, read-only root, no capabilities, no privilege escalation", () => {
    expect(spec.process.user).toEqual({ uid: 1000, gid: 1000 });
    expect(spec.root).toEqual({ path: "/i/rootfs", readonly: true });
    expect(spec.process.capabilities.bounding).toEqual([]);
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.args).toEqual(["node", "x.ts"]);
    expect(spec.process.env).toEqual(["PATH=/bin", "CI=true"]);
  });

  it("joins the given network namespace; an emptyDir is a tmpfs, a host directory a bind", () => {
    expect(spec.linux.namespaces).toContainEqual({ type: "network", path: "/run/netns/n" });
    expect(spec.mounts).toContainEqual(expect.objectContaining({ destination: "/tmp", type: "tmpfs" }));
    expect(spec.mounts).toContainEqual({
      destination: "/r",
      type: "bind",
      source: "/host/r",
      options: ["rbind", "rw"],
    });
  });
});

describe("the image, built and run (runc, embedded default)", () => {
  jest.setTimeout(300_000);
  let image: BuiltImage;
  let dir: string;
  let target: Target;
  const job = render("smoke-gate", ["examples/development.yaml"]).all("Job")[0];
  const pod = job.spec.template.spec;
  const container = pod.containers[0];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mp-image-"));
    image = buildImage();
    await up({ progress: () => undefined });
    target = embeddedTarget();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is an OCI archive whose digests hold and whose config is what the chart's Job runs", async () => {
    const archive = join(dir, "smoke-gate.tar");
    const name = imageName();
    expect(name.full).toBe(`docker.io/messaging-platform/smoke-gate:${name.tag}`);
    const { manifest } = await writeOciArchive(image.rootfs, image.config, name.full, archive);
    const read = (path: string) => run("tar", ["-xOf", archive, path], { timeoutMs: 60_000 }).stdout;
    const index = JSON.parse(read("index.json"));
    expect(index.manifests[0].digest).toBe(manifest.digest);
    expect(index.manifests[0].annotations["io.containerd.image.name"]).toBe(name.full);
    const m = JSON.parse(read(`blobs/sha256/${manifest.digest.slice(7)}`));
    const config = JSON.parse(read(`blobs/sha256/${m.config.digest.slice(7)}`));
    expect(config.rootfs.diff_ids).toHaveLength(1);
    expect(config.config.Entrypoint).toEqual(container.command);
    expect(config.config.WorkingDir).toBe(container.workingDir);
    expect(config.config.User).toBe(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`);
    const layerSize = Number(
      run("sh", ["-c", `tar -tvf "${archive}" blobs/sha256/${m.layers[0].digest.slice(7)} | awk '{print $3}'`]).stdout,
    );
    expect(layerSize).toBe(m.layers[0].size);
  });

  /** Runs the image as the Job does: its command, env and volumes (target Secret, reports, tmp). */
  function runAsJob(gateTarget: Target) {
    const secretDir = mkdtempSync(join(dir, "secret-"));
    const reportsDir = mkdtempSync(join(dir, "reports-"));
    const file = join(secretDir, "target.json");
    writeFileSync(file, JSON.stringify(gateTarget));
    // As the kubelet writes a Secret volume for a pod with an fsGroup: a traversable directory, files owned by root
    // and the fsGroup, in defaultMode (0400) with group read added (SetVolumeOwnership's mask for read-only volumes).
    chmodSync(secretDir, 0o755);
    chmodSync(file, pod.volumes.find((v: Any) => v.name === "target").secret.defaultMode | 0o440);
    chownSync(file, 0, pod.securityContext.fsGroup);
    const source = (volume: string) =>
      volume === "target" ? secretDir : volume === "reports" ? reportsDir : undefined;
    const r = runContainer(image, {
      args: container.command,
      workingDir: container.workingDir,
      env: Object.fromEntries(container.env.map((e: Any) => [e.name, e.value])),
      mounts: container.volumeMounts.map((m: Any) => ({
        destination: m.mountPath,
        source: source(m.name),
        readonly: m.readOnly === true,
      })),
      timeoutMs: 240_000,
    });
    return { ...r, out: r.stdout + r.stderr, reportsDir };
  }

  const quick = (floors = defaultGateSettings.throughput.floors) => ({
    ...defaultGateSettings,
    nodeFailure: false,
    throughput: { ...defaultGateSettings.throughput, durationMs: 3_000, floors },
  });

  it("passes the gate from its own host on the bridge, and writes the report to the reports volume", () => {
    const r = runAsJob({ ...target, gate: quick() });
    expect(r.out).toContain("smoke gate on embedded: PASS");
    expect(r.code).toBe(0);
    const reports = readdirSync(r.reportsDir);
    expect(reports).toHaveLength(1);
    expect(existsSync(join(r.reportsDir, reports[0] ?? "", "gate.json"))).toBe(true);
  });

  it("exits non-zero, as a failed Job, when a floor is not met", () => {
    const r = runAsJob({
      ...target,
      gate: quick({ kafka: { messagesPerSec: 1e9 }, rabbitmq: { messagesPerSec: 500 } }),
    });
    expect(r.out).toContain("smoke gate on embedded: FAIL");
    expect(r.out).toMatch(/msg\/s sustained is below the floor of 1000000000 msg\/s/);
    expect(r.code).toBe(1);
  });
});
