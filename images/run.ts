// Runs a built image (images/build.ts) with runc, the OCI runtime containerd uses under Kubernetes: read-only root,
// unprivileged user, no capabilities, its own PID/mount/UTS/IPC namespaces, and the network namespace of a client
// host on the embedded environment's bridge (embedded/topology.ts clientHost), so its traffic stays inside namespaces
// this project created.
import { chownSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createNamespace, ensureBridge, namespaceExists, removeNamespace } from "../embedded/netns";
import { clientHost } from "../embedded/topology";
import { type RunResult, run } from "../toolchain/src/exec";
import type { BuiltImage } from "./build";

export interface ContainerMount {
  destination: string;
  /** A host directory bound in, or undefined for an empty tmpfs (Kubernetes' emptyDir). */
  source?: string;
  readonly?: boolean;
}

export interface ContainerSpec {
  /** The container's command (Kubernetes `command`; default: the image's Entrypoint + Cmd). */
  args?: string[];
  /** Added to the image's environment (Kubernetes `env`). */
  env?: Record<string, string>;
  workingDir?: string;
  mounts: ContainerMount[];
  timeoutMs: number;
}

const uidGid = (user: string | undefined) => {
  const [uid = "0", gid = uid] = (user ?? "0").split(":");
  return { uid: Number(uid), gid: Number(gid) };
};

/** The OCI runtime spec (config.json) for the image and spec. Pure: tested on its own. */
export function runtimeSpec(image: BuiltImage, spec: ContainerSpec, netnsPath: string): Record<string, unknown> {
  const env = new Map((image.config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  for (const [k, v] of Object.entries(spec.env ?? {})) env.set(k, v);
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: uidGid(image.config.User),
      args: spec.args ?? [...(image.config.Entrypoint ?? []), ...(image.config.Cmd ?? [])],
      env: [...env].map(([k, v]) => `${k}=${v}`),
      cwd: spec.workingDir ?? image.config.WorkingDir ?? "/",
      // Pod Security "restricted": drop ALL, no privilege escalation.
      capabilities: { bounding: [], effective: [], permitted: [], ambient: [] },
      noNewPrivileges: true,
    },
    root: { path: image.rootfs, readonly: true },
    hostname: "smoke-gate",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
      },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      ...spec.mounts.map((m) =>
        m.source === undefined
          ? { destination: m.destination, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"] }
          : {
              destination: m.destination,
              type: "bind",
              source: m.source,
              options: ["rbind", m.readonly ? "ro" : "rw"],
            },
      ),
    ],
    linux: {
      namespaces: [
        { type: "pid" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
        { type: "network", path: netnsPath },
      ],
      maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

/**
 * Runs the container to completion and returns its exit code and output. Bound host directories that the
 * container writes to are handed to its user first (as a kubelet does with fsGroup).
 */
export function runContainer(image: BuiltImage, spec: ContainerSpec, id = `mp-smoke-gate-${process.pid}`): RunResult {
  ensureBridge();
  if (!namespaceExists(clientHost.netns)) createNamespace(clientHost);
  const bundle = join(image.dir, "bundles", id);
  rmSync(bundle, { recursive: true, force: true });
  mkdirSync(bundle, { recursive: true });
  const { uid, gid } = uidGid(image.config.User);
  for (const m of spec.mounts) if (m.source && !m.readonly) chownSync(m.source, uid, gid);
  writeFileSync(
    join(bundle, "config.json"),
    JSON.stringify(runtimeSpec(image, spec, `/run/netns/${clientHost.netns}`), null, 2),
  );
  try {
    return run("runc", ["run", "--bundle", bundle, id], { timeoutMs: spec.timeoutMs });
  } finally {
    run("runc", ["delete", "--force", id]);
    rmSync(bundle, { recursive: true, force: true });
  }
}

/** Removes the client host's namespace (`embedded:down` removes it too, with every mp-* namespace). */
export function removeClientHost(): void {
  if (namespaceExists(clientHost.netns)) removeNamespace(clientHost.netns);
}
