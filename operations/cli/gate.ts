// `npm run gate -- --stack <name> [--workers N [--kill-worker I]] [--cwd <project dir>] [--config-file <path>]`: the
// stack's in-cluster gate run again now, against what is deployed (no `pulumi up`), with its own load flags.
// Exit 0 when the gate passed, 1 when it failed, 2 when it could not run (a refusal names the flag and its rule).
import { resolve } from "node:path";
import { workersFrom } from "../../smoke-tests/drills/flags";
import { progressPrinter } from "../../smoke-tests/reports/progress";
import { checkCommandLine, elapsedStamp, flag, main } from "../../toolchain/src/command-line";
import { runGateAgain } from "../deploy/gate-again";

const commandLine = {
  command: "gate",
  usage: "npm run gate -- --stack <name> [--workers N [--kill-worker I]] [--cwd <project dir>] [--config-file <path>]",
  values: ["stack", "cwd", "config-file", "workers", "kill-worker"],
};

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, commandLine);
  const stack = flag(argv, "stack");
  if (!stack || !/^[A-Za-z0-9._-]+$/.test(stack))
    throw new Error(`--stack = ${stack ?? "(missing)"}: name a deployed stack, e.g. --stack cluster`);
  // Every flag checked before anything is contacted.
  const given = flag(argv, "workers") !== undefined || flag(argv, "kill-worker") !== undefined;
  const workers = given ? workersFrom(argv) : undefined;
  const configFile = flag(argv, "config-file");
  const cwd = flag(argv, "cwd");
  const printer = progressPrinter();
  const started = Date.now();
  const g = await runGateAgain({
    stack,
    projectDir: cwd ? resolve(cwd) : resolve(__dirname, "..", ".."),
    ...(configFile ? { configFile: resolve(configFile) } : {}),
    ...(workers ? { workers } : {}),
    progress: (line) => printer.line(`${elapsedStamp(started)} ${line}`),
  });
  printer.line(`\n${g.report}`);
  return g.passed ? 0 : 1;
});
