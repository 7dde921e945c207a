// Builds the smoke-gate runner image from smoke-tests/Dockerfile without Docker: there is no Docker engine and no
// registry on these machines, only package registries. The Dockerfile stays the one recipe; this applies it:
//   FROM node:<v>-bookworm-slim   the Debian root filesystem of toolchain/steps/runner-rootfs.sh, the pinned Node
//                                 (toolchain NODE_VERSION, which must equal <v>) as /usr/local/bin/node, user node 1000
//   RUN npm install …             the node_modules npm installed from the same package-lock.json (toolchain/steps/npm.sh)
//   every other instruction       as written (RUN in a chroot of the image)
// The result is a root filesystem (for runc, images/run.ts) and, with --oci, an OCI archive that containerd
// imports (`ctr -n k8s.io images import`), so a Kubernetes cluster on this machine runs the image built here.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { parse } from "yaml";
import { run } from "../toolchain/src/exec";
import { cacheDir, repoRoot, toolPaths, version } from "../toolchain/src/paths";
import { envPairs, type Instruction, parseDockerfile } from "./dockerfile";
import type { ImageRuntimeConfig } from "./oci";

export const dockerfile = join(repoRoot, "smoke-tests", "Dockerfile");

/** The image's name: charts/smoke-gate's default repository and appVersion (what the Job pulls by default). */
export function imageName(): { repository: string; tag: string; full: string } {
  const chart = join(repoRoot, "charts", "smoke-gate");
  const tag = String((parse(readFileSync(join(chart, "Chart.yaml"), "utf8")) as { appVersion: string }).appVersion);
  const repository = (parse(readFileSync(join(chart, "values.yaml"), "utf8")) as { image: { repository: string } })
    .image.repository;
  return { repository, tag, full: `docker.io/${repository}:${tag}` };
}

export interface BuiltImage {
  dir: string;
  rootfs: string;
  config: ImageRuntimeConfig;
}

function must(cmd: string, args: string[], what: string, timeoutMs = 300_000): string {
  const r = run(cmd, args, { timeoutMs });
  if (r.code !== 0) throw new Error(`${what}: ${cmd} ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * .dockerignore as Docker reads it, for one COPY source: `**\/name` excludes `name` at any depth (a tar --exclude),
 * a plain pattern is anchored at the context root (it excludes the source only if the source is or lies under it).
 */
export function ignoreRules(lines: string[], src: string): { skip: boolean; tarExcludes: string[] } {
  const patterns = lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const anywhere = patterns.filter((p) => p.startsWith("**/")).map((p) => p.slice(3));
  const anchored = patterns.filter((p) => !p.startsWith("**/")).map((p) => p.replace(/^\/|\/$/g, ""));
  const clean = src.replace(/^\.\/|\/$/g, "");
  const skip =
    anchored.some((p) => clean === p || clean.startsWith(`${p}/`)) || anywhere.includes(posix.basename(clean));
  return { skip, tarExcludes: anywhere };
}

const dockerignore = (): string[] => {
  const file = join(repoRoot, ".dockerignore");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n") : [];
};

/** FROM node:<NODE_VERSION>-<RUNNER_SUITE>-slim is the only base this builder can reproduce. */
export function checkBase(from: Instruction): void {
  const want = `node:${version("NODE_VERSION")}-${version("RUNNER_SUITE")}-slim`;
  if (from.args[0] !== want) {
    throw new Error(
      `smoke-tests/Dockerfile line ${from.line}: FROM ${from.args[0]}; the Docker-free build reproduces ${want} ` +
        "(toolchain/versions.env NODE_VERSION and RUNNER_SUITE): keep them equal",
    );
  }
}

export function buildImage(progress: (line: string) => void = () => undefined): BuiltImage {
  const steps = parseDockerfile(readFileSync(dockerfile, "utf8"));
  const dir = join(cacheDir, "images", "smoke-gate");
  const rootfs = join(dir, "rootfs");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config: ImageRuntimeConfig = {
    // The node image's defaults.
    Env: [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      `NODE_VERSION=${version("NODE_VERSION")}`,
    ],
    WorkingDir: "/",
  };
  const ignoreLines = dockerignore();
  const inImage = (p: string) => join(rootfs, posix.resolve(config.WorkingDir ?? "/", p));

  for (const step of steps) {
    switch (step.op) {
      case "FROM": {
        checkBase(step);
        if (!existsSync(toolPaths.runnerRootfs))
          throw new Error(`${toolPaths.runnerRootfs} is missing: run \`npm run setup\``);
        progress(`FROM ${step.args[0]}: ${toolPaths.runnerRootfs} + Node ${version("NODE_VERSION")}`);
        must("cp", ["-a", toolPaths.runnerRootfs, rootfs], "copy the base root filesystem");
        must("install", ["-m", "0755", toolPaths.node, join(rootfs, "usr/local/bin/node")], "install node");
        // The node image's unprivileged user.
        writeFileSync(
          join(rootfs, "etc/passwd"),
          `${readFileSync(join(rootfs, "etc/passwd"), "utf8")}node:x:1000:1000::/home/node:/bin/sh\n`,
        );
        writeFileSync(join(rootfs, "etc/group"), `${readFileSync(join(rootfs, "etc/group"), "utf8")}node:x:1000:\n`);
        mkdirSync(join(rootfs, "home/node"), { recursive: true });
        must("chown", ["1000:1000", join(rootfs, "home/node")], "home of node");
        break;
      }
      case "WORKDIR":
        config.WorkingDir = posix.resolve(config.WorkingDir ?? "/", step.args[0] ?? "/");
        mkdirSync(inImage("."), { recursive: true });
        break;
      case "COPY": {
        const sources = step.args.slice(0, -1);
        const dest = step.args.at(-1) ?? ".";
        for (const src of sources) {
          const rules = ignoreRules(ignoreLines, src);
          if (rules.skip) continue;
          const excludes = rules.tarExcludes.flatMap((p) => ["--exclude", p]);
          const target =
            dest.endsWith("/") || sources.length > 1 ? join(inImage(dest), posix.basename(src)) : inImage(dest);
          mkdirSync(dirname(target), { recursive: true });
          if (run("test", ["-d", join(repoRoot, src)]).code === 0) {
            mkdirSync(target, { recursive: true });
            must(
              "sh",
              [
                "-c",
                `tar -C "$1" ${excludes.map((e) => `'${e}'`).join(" ")} -cf - . | tar -C "$2" -xf -`,
                "sh",
                join(repoRoot, src),
                target,
              ],
              `COPY ${src}`,
            );
          } else {
            must("cp", [join(repoRoot, src), target], `COPY ${src}`);
          }
        }
        progress(`COPY ${step.args.join(" ")}`);
        break;
      }
      case "RUN": {
        const cmd = step.args[0] ?? "";
        if (/^npm (install|ci)\b/.test(cmd)) {
          // Same lockfile, same versions: the repo's node_modules, installed by `npm run setup` from it.
          const lock = readFileSync(inImage("package-lock.json"));
          if (!lock.equals(readFileSync(join(repoRoot, "package-lock.json"))))
            throw new Error("the image's package-lock.json differs from the repo's: node_modules would not match");
          must("cp", ["-a", join(repoRoot, "node_modules"), inImage("node_modules")], "node_modules");
          progress("RUN npm install: node_modules from the same lockfile");
        } else {
          must("chroot", [rootfs, "/bin/sh", "-c", `cd ${config.WorkingDir} && ${cmd}`], `RUN ${cmd}`);
          progress(`RUN ${cmd}`);
        }
        break;
      }
      case "USER":
        config.User = step.args[0];
        break;
      case "ENV":
        for (const [k, v] of envPairs(step.args)) {
          config.Env = [...(config.Env ?? []).filter((e) => !e.startsWith(`${k}=`)), `${k}=${v}`];
        }
        break;
      case "ENTRYPOINT":
        config.Entrypoint = step.args;
        break;
      case "CMD":
        config.Cmd = step.args;
        break;
      default:
        throw new Error(
          `smoke-tests/Dockerfile line ${step.line}: ${step.op} is not supported by the Docker-free build`,
        );
    }
  }
  writeFileSync(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  return { dir, rootfs, config };
}
