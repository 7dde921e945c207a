// charts/rabbitmq start.sh, run for real under sh with a stub rabbitmq-diagnostics: a blank seed (-0) whose peer runs
// writes that peer as the seed it joins; a blank seed whose peers do not run (day 1) forms the cluster; a seed with
// data, or any other ordinal, never asks. The stub answers "running" only for the peers the test names.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { container, env, render } from "./support";

const rendered = render("rabbitmq", []);
const start: string = rendered.get("ConfigMap", "mp-rabbitmq-scripts").data["start.sh"];
const rabbit = container(rendered.get("StatefulSet", "mp-rabbitmq"), "rabbitmq");
const chartEnv = (name: string) => {
  const v = env(rabbit, name);
  if (v === undefined) throw new Error(`the rabbitmq container has no ${name}`);
  return v;
};

interface Started {
  status: number | null;
  out: string;
  seed?: string;
  asked: string[];
}

/** start.sh in a scratch root as pod `pod`, `running` the peers whose rabbit app runs, `blank` without a data dir. */
function startAs(
  pod: string,
  opts: { blank: boolean; running: string[]; hanging?: string[]; env?: Record<string, string> },
): Started {
  const root = mkdtempSync(join(tmpdir(), "mp-rabbit-start-"));
  try {
    const suffix = ".mp-rabbitmq-nodes.messaging";
    const node = `rabbit@${pod}${suffix}`;
    const bin = join(root, "bin");
    const confd = join(root, "conf.d");
    const mnesia = join(root, "mnesia");
    for (const d of [bin, confd, mnesia]) mkdirSync(d, { recursive: true });
    if (!opts.blank) mkdirSync(join(mnesia, node));
    const asked = join(root, "asked");
    // The stub: logs the node it was asked about; exit 0 only for a running peer (as check_running does).
    writeFileSync(
      join(bin, "rabbitmq-diagnostics"),
      `#!/bin/sh\nwhile [ "$1" != -n ]; do shift; done\necho "$2" >> ${asked}\ncase " ${(opts.hanging ?? []).join(" ")} " in *" $2 "*) exec sleep 30;; esac\ncase " ${opts.running.join(" ")} " in *" $2 "*) exit 0;; esac\nexit 69\n`,
    );
    chmodSync(join(bin, "rabbitmq-diagnostics"), 0o755);
    const script = start.replaceAll("/etc/rabbitmq/conf.d", confd).replaceAll("/var/lib/rabbitmq/mnesia", mnesia);
    const r = spawnSync("sh", ["-c", script, "start.sh", "echo", "started"], {
      encoding: "utf8",
      timeout: 20_000,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        MY_POD_NAME: pod,
        RABBITMQ_NODENAME: node,
        K8S_HOSTNAME_SUFFIX: suffix,
        CLUSTER_SIZE: chartEnv("CLUSTER_SIZE"),
        SEED_PROBE_ATTEMPTS: chartEnv("SEED_PROBE_ATTEMPTS"),
        SEED_PROBE_TIMEOUT: chartEnv("SEED_PROBE_TIMEOUT"),
        ...opts.env,
      },
    });
    const seedFile = join(confd, "06-seed.conf");
    return {
      status: r.status,
      out: `${r.stdout}${r.stderr}`,
      ...(existsSync(seedFile) ? { seed: readFileSync(seedFile, "utf8") } : {}),
      asked: existsSync(asked) ? readFileSync(asked, "utf8").trim().split("\n") : [],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const peer = (i: number) => `rabbit@mp-rabbitmq-${i}.mp-rabbitmq-nodes.messaging`;

test("the chart's cluster size reaches start.sh", () => {
  expect(chartEnv("CLUSTER_SIZE")).toBe("3");
});

test("a blank seed whose peer runs joins that peer's cluster, then starts", () => {
  const r = startAs("mp-rabbitmq-0", { blank: true, running: [peer(2)] });
  expect(r.status).toBe(0);
  expect(r.seed).toBe(`cluster_formation.k8s.seed_node = ${peer(2)}\n`);
  expect(r.out).toContain(`blank seed, and ${peer(2)} runs: joining its cluster`);
  expect(r.out).toContain("started");
});

test("a blank seed whose peers do not run (day 1: they wait for it) forms the cluster, after asking each every attempt", () => {
  const r = startAs("mp-rabbitmq-0", { blank: true, running: [] });
  expect(r.status).toBe(0);
  expect(r.seed).toBeUndefined();
  expect(r.asked).toEqual([peer(1), peer(2), peer(1), peer(2), peer(1), peer(2)]);
  expect(r.out).toContain("no peer runs (asked 3 times): forming the cluster");
  expect(r.out).toContain("started");
});

test("a seed with its data never asks: it is a member already", () => {
  const r = startAs("mp-rabbitmq-0", { blank: false, running: [peer(1)] });
  expect({ seed: r.seed, asked: r.asked, status: r.status }).toEqual({ seed: undefined, asked: [], status: 0 });
});

test("any other ordinal never asks: peer discovery makes it join the seed", () => {
  const r = startAs("mp-rabbitmq-1", { blank: true, running: [peer(2)] });
  expect({ seed: r.seed, asked: r.asked, status: r.status }).toEqual({ seed: undefined, asked: [], status: 0 });
});

test("a peer that never answers is given up after the probe's timeout, not waited for", () => {
  const r = startAs("mp-rabbitmq-0", {
    blank: true,
    running: [],
    hanging: [peer(1), peer(2)],
    env: { SEED_PROBE_TIMEOUT: "1", SEED_PROBE_ATTEMPTS: "1" },
  });
  expect({ status: r.status, seed: r.seed, asked: r.asked }).toEqual({
    status: 0,
    seed: undefined,
    asked: [peer(1), peer(2)],
  });
  expect(r.out).toContain("no peer runs (asked 1 times): forming the cluster");
});
