// `npm run deploy -- --stack <name> [--cwd <project dir>] [--config-file <path>]`: `pulumi up` followed by the smoke
// gate, every time. --cwd and --config-file mean what they mean to the Pulumi CLI.
// Exit 0 when every step passed, 1 when the gate failed, 2 when the deploy did not get that far.
import { resolve } from "node:path";
import { progressPrinter } from "../../smoke-tests/reports/progress";
import { checkCommandLine, elapsedStamp, flag, main } from "../../toolchain/src/command-line";
import { deployWithGate } from "../deploy/deploy";
import { deployExitCode, formatSummary } from "../deploy/summary";

const commandLine = {
  command: "deploy",
  usage: "npm run deploy -- --stack <name> [--cwd <project dir>] [--config-file <path>]",
  values: ["stack", "cwd", "config-file"],
};

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, commandLine);
  const stack = flag(argv, "stack");
  if (!stack || !/^[A-Za-z0-9._-]+$/.test(stack))
    throw new Error(
      `--stack = ${stack ?? "(missing)"}: name the stack to deploy, e.g. --stack embedded (see Pulumi.*.yaml)`,
    );
  const configFile = flag(argv, "config-file");
  const cwd = flag(argv, "cwd");
  const printer = progressPrinter();
  const started = Date.now();
  const result = await deployWithGate({
    stack,
    repoRoot: resolve(__dirname, "..", ".."),
    ...(configFile ? { configFile: resolve(configFile) } : {}),
    ...(cwd ? { projectDir: resolve(cwd) } : {}),
    onOutput: (text) => process.stdout.write(text),
    progress: (line, sample) =>
      sample ? printer.sample(line, sample) : printer.line(`${elapsedStamp(started)} ${line}`),
  });
  printer.line(`\n${formatSummary(result)}`);
  return deployExitCode(result);
});
