// The RabbitMQ nodes' root filesystem: an overlay on the toolchain's cached Debian rootfs, so the cache stays
// pristine and everything the nodes write (hosts file, cookie, data) lands in the state directory. /proc, /dev and
// /sys are bind-mounted because the Erlang VM and the CLI need them; all mounts are idempotent and undone by `down`.
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { missingToolHint, toolPaths } from "../../toolchain/src/paths";
import { run } from "../shell";
import { statePaths } from "../state";
import type { EmbeddedNode } from "../topology";

const overlayDir = join(statePaths.rabbitmq, "rootfs");
export const rootfs = {
  lower: toolPaths.rabbitmqRootfs,
  upper: join(overlayDir, "upper"),
  work: join(overlayDir, "work"),
  merged: join(overlayDir, "merged"),
} as const;

const BIND_MOUNTS = ["proc", "dev", "sys"] as const;

/** Mount points currently mounted under the overlay (or the overlay itself), deepest first. */
export function ourMounts(): string[] {
  const mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  return mountinfo
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((mp) => mp === rootfs.merged || mp.startsWith(`${rootfs.merged}/`))
    .sort((a, b) => b.length - a.length);
}

const isMounted = (mp: string) => ourMounts().includes(mp);

export function mountRootfs(): void {
  if (!existsSync(join(rootfs.lower, "usr/lib/rabbitmq"))) {
    throw new Error(missingToolHint("The RabbitMQ root filesystem", rootfs.lower));
  }
  for (const d of [rootfs.upper, rootfs.work, rootfs.merged]) mkdirSync(d, { recursive: true });
  if (!isMounted(rootfs.merged)) {
    const opts = `lowerdir=${rootfs.lower},upperdir=${rootfs.upper},workdir=${rootfs.work}`;
    run("mount", ["-t", "overlay", "overlay", "-o", opts, rootfs.merged]);
  }
  for (const m of BIND_MOUNTS) {
    const mp = join(rootfs.merged, m);
    if (!isMounted(mp)) run("mount", ["--bind", `/${m}`, mp]);
  }
}

/** Unmounts everything under the overlay; a busy mount (a process still inside) is detached lazily. */
export function unmountRootfs(): void {
  for (const mp of ourMounts()) {
    if (run("umount", [mp], { allowFailure: true }).code !== 0) run("umount", ["-l", mp]);
  }
}

/** uid/gid of the rabbitmq user inside the rootfs: node dirs must belong to it or the node dies silently. */
export function rabbitmqOwner(): { uid: number; gid: number } {
  const line = readFileSync(join(rootfs.merged, "etc/passwd"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("rabbitmq:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`no rabbitmq user in ${rootfs.merged}/etc/passwd`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Writes a file inside the rootfs owned by the rabbitmq user. */
export function writeOwned(pathInRootfs: string, content: string, mode = 0o644): void {
  const { uid, gid } = rabbitmqOwner();
  const path = join(rootfs.merged, pathInRootfs);
  writeFileSync(path, content, { mode });
  chownSync(path, uid, gid);
}

export function mkdirOwned(pathInRootfs: string): void {
  const { uid, gid } = rabbitmqOwner();
  let current = rootfs.merged;
  for (const part of pathInRootfs.split("/").filter(Boolean)) {
    current = join(current, part);
    if (!existsSync(current)) {
      mkdirSync(current);
      chownSync(current, uid, gid);
    }
  }
}

/** Host names of all nodes, so epmd and distribution resolve peers without DNS. */
export function writeHostsFile(nodes: EmbeddedNode[]): void {
  const lines = ["127.0.0.1 localhost", ...nodes.map((n) => `${n.address} ${n.hostname}`)];
  writeFileSync(join(rootfs.merged, "etc/hosts"), `${lines.join("\n")}\n`);
}

/** The shared Erlang cookie, in the rabbitmq user's home (used by nodes and the CLI alike). */
export function writeCookie(cookie: string): void {
  writeOwned("var/lib/rabbitmq/.erlang.cookie", cookie, 0o400);
}

/** Runs argv inside the rootfs as the rabbitmq user, with a clean environment plus `env`. */
export function chrootCommand(argv: string[], env: Record<string, string>): string[] {
  const baseEnv = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/var/lib/rabbitmq",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
  };
  const envArgs = Object.entries({ ...baseEnv, ...env }).map(([k, v]) => `${k}=${v}`);
  return [
    "chroot",
    rootfs.merged,
    "/usr/bin/env",
    "-i",
    ...envArgs,
    "/usr/bin/setpriv",
    "--reuid=rabbitmq",
    "--regid=rabbitmq",
    "--init-groups",
    ...argv,
  ];
}
