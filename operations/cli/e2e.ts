// `npm run e2e [-- --stack cluster] [--keep]`: the product's main job end to end on this machine's own Kubernetes
// (operations/e2e/run-e2e.ts). One summary at the end; exit 1 when any step or drill failed. The cluster is always
// taken down again unless --keep is given.

import { progressPrinter } from "../../smoke-tests/reports/progress";
import { checkCommandLine, flag, main } from "../../toolchain/src/command-line";
import { runE2e } from "../e2e/run-e2e";
import { formatE2e } from "../e2e/summary";

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, {
    command: "e2e",
    usage: "npm run e2e [-- --stack <name>] [--keep]",
    values: ["stack"],
    switches: ["keep"],
  });
  const printer = progressPrinter();
  const { steps, figures, placement } = await runE2e({
    stackName: flag(argv, "stack") ?? "cluster",
    keep: argv.includes("--keep"),
    printer,
  });
  printer.line(`\n${formatE2e(steps, figures, placement)}`);
  return steps.every((s) => s.ok) ? 0 : 1;
});
