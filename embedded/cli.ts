// Entry point of `npm run local` (main-job) and `npm run embedded:up|down|status|fault`.
//   main-job                    set up the toolchain if needed, bring the environment up, run the smoke gate
//   up [--dedicated-controllers]  bring both clusters up (idempotent) and wait until healthy
//   down [--purge]              stop everything; --purge also deletes data and credentials
//   status                      table of both clusters
//   fault <action> <node>       kill|stop|start|pause|resume|isolate|heal kafka-0..2 / rabbitmq-0..2
//   leader partition <topic> [p] | controller | queue <name>
//   target                      print the target (JSON) if every node runs; exit 3 if the environment is not up
//   declare < declarations.json  topics, quorum queues and policies a stack declares (the embedded platform's Jobs)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { elapsedStamp } from "../toolchain/src/command-line";
import { repoRoot } from "../toolchain/src/paths";
import { applyDeclarations, type Declarations } from "./declarations";
import { allNodes, down, loadEnvironment, type Progress, up, waitReady } from "./environment";
import { activeController, FAULT_ACTIONS, type FaultAction, fault, partitionLeader, quorumQueueLeader } from "./faults";
import { nodeProcess } from "./processes";
import { statePaths } from "./state";
import { renderTable, statusRows } from "./status";

const started = Date.now();
const progress: Progress = (line) => {
  process.stdout.write(`${elapsedStamp(started)} ${line}\n`);
};

/** The post-deploy gate (`npm run smoke`), run against this environment's target. */
const SMOKE_GATE = join(repoRoot, "smoke-tests", "cli", "smoke.ts");

async function status(): Promise<void> {
  process.stdout.write(`${renderTable(await statusRows(loadEnvironment()))}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [cmd = "help", ...args] = argv;
  switch (cmd) {
    case "main-job": {
      const setup = spawnSync("bash", [join(repoRoot, "toolchain", "setup.sh")], { stdio: "inherit" });
      if (setup.status !== 0) throw new Error("toolchain setup failed");
      await up({ progress });
      progress("up: both clusters healthy");
      await status();
      if (!existsSync(SMOKE_GATE)) {
        progress(`no smoke gate at ${SMOKE_GATE} yet; environment left up`);
        return;
      }
      progress("running the smoke gate against the embedded target");
      const gate = spawnSync("node", ["--import", "tsx", SMOKE_GATE], {
        stdio: "inherit",
        env: { ...process.env, MP_TARGET: "embedded", MESSAGING_PLATFORM_STATE: statePaths.root },
      });
      process.exitCode = gate.status ?? 1;
      return;
    }
    case "up":
      await up({ progress, kafkaMode: args.includes("--dedicated-controllers") ? "dedicated" : undefined });
      progress("up: both clusters healthy");
      return status();
    case "down":
      await down({ progress, purge: args.includes("--purge") });
      progress("down: no process, namespace, mount or bridge left");
      return;
    case "status":
      return status();
    case "target": {
      const env = loadEnvironment();
      const stopped = allNodes(env).filter((n) => nodeProcess(n) === undefined);
      if (stopped.length > 0 || !existsSync(statePaths.target)) {
        process.stderr.write(
          `the embedded environment is not up (${stopped.map((n) => n.name).join(", ") || "no target"})\n`,
        );
        process.exitCode = 3;
        return;
      }
      process.stdout.write(readFileSync(statePaths.target, "utf8"));
      return;
    }
    case "declare": {
      const env = loadEnvironment();
      await waitReady(env, progress);
      await applyDeclarations(env, JSON.parse(readFileSync(0, "utf8")) as Declarations, progress);
      return;
    }
    case "fault": {
      const [action, node] = args;
      if (!FAULT_ACTIONS.includes(action as FaultAction) || !node) {
        throw new Error(`usage: embedded:fault -- <${FAULT_ACTIONS.join("|")}> <node>`);
      }
      await fault(action as FaultAction, node);
      progress(`${action} ${node}: done`);
      return;
    }
    case "leader": {
      const [what, name, partition] = args;
      const node =
        what === "controller"
          ? await activeController()
          : what === "partition" && name
            ? await partitionLeader(name, Number(partition ?? 0))
            : what === "queue" && name
              ? await quorumQueueLeader(name)
              : undefined;
      if (!node) throw new Error("usage: leader partition <topic> [partition] | controller | queue <name>");
      process.stdout.write(`${node.name}\n`);
      return;
    }
    default:
      process.stdout.write(
        "usage: cli.ts main-job | up [--dedicated-controllers] | down [--purge] | status | fault <action> <node> | leader … | declare < file\n",
      );
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
