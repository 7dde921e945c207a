// Entry point of `npm run local` (main-job) and `npm run embedded:up|down|status|fault`.
//   main-job                    set up the toolchain if needed, bring the environment up, run the smoke gate
//   up [--dedicated-controllers] [--kafka-brokers N]  bring both clusters up (idempotent) and wait until healthy
//   down [--purge]              stop everything; --purge also deletes data and credentials
//   status                      table of both clusters
//   fault <action> <node>       kill|stop|start|pause|resume|isolate|heal kafka-i / rabbitmq-i
//   leader partition <topic> [p] | controller | queue <name>
//   target                      print the target (JSON) if every node runs; exit 3 if the environment is not up
//   owner                       print the state directory whose nodes run on this machine; exit 3 if none runs
//   declare < declarations.json  topics, quorum queues and policies a stack declares (the embedded platform's Jobs)
// An unknown command, flag or argument prints the usage on stderr and exits 2; `help` prints it on stdout.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { elapsedStamp, errorOutcome, HelpRequested, UsageError } from "../toolchain/src/command-line";
import { repoRoot } from "../toolchain/src/paths";
import { kafkaBrokersFrom, parseCommand, usage } from "./commands";
import { applyDeclarations, type Declarations } from "./declarations";
import { allNodes, down, loadEnvironment, machineOwner, type Progress, up, waitReady } from "./environment";
import { activeController, FAULT_ACTIONS, type FaultAction, fault, partitionLeader, quorumQueueLeader } from "./faults";
import { readKafkaSettings } from "./kafka/config";
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
  const { cmd, args } = parseCommand(argv);
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
      await up({
        progress,
        kafkaMode: argv.includes("--dedicated-controllers") ? "dedicated" : undefined,
        kafkaBrokers: kafkaBrokersFrom(argv, readKafkaSettings().expected.replicationFactor),
      });
      progress("up: both clusters healthy");
      return status();
    case "down":
      await down({ progress, purge: argv.includes("--purge") });
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
    case "owner": {
      const owner = machineOwner();
      if (owner === undefined) {
        process.stderr.write("no embedded environment runs on this machine\n");
        process.exitCode = 3;
        return;
      }
      process.stdout.write(`${owner}\n`);
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
        throw new UsageError(`${action} is not a fault (faults: ${FAULT_ACTIONS.join(", ")})`, usage);
      }
      await fault(action as FaultAction, node);
      progress(`${action} ${node}: done`);
      return;
    }
    case "leader": {
      const [what, name, partition] = args;
      const form =
        (what === "controller" && args.length === 1) ||
        (what === "partition" && name !== undefined && (partition === undefined || /^\d+$/.test(partition))) ||
        (what === "queue" && name !== undefined && args.length === 2);
      if (!form) throw new UsageError(`leader ${args.join(" ")}: not a question leader answers`, usage);
      const node =
        what === "controller"
          ? await activeController()
          : what === "partition"
            ? await partitionLeader(name as string, Number(partition ?? 0))
            : await quorumQueueLeader(name as string);
      if (!node) throw new Error(`leader ${args.join(" ")}: no leader right now`);
      process.stdout.write(`${node.name}\n`);
      return;
    }
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    // A wrong command line: the usage, exit 2 (help: stdout, 0). Anything else failed while running: exit 1.
    if (e instanceof UsageError || e instanceof HelpRequested) {
      const o = errorOutcome(e);
      process[o.stream].write(o.text.trimStart());
      process.exit(o.code);
    }
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
