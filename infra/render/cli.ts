// `npm run render -- --stack <name> [--out <dir>] [--config-file <path>]`: the stack's config on the render platform (pulumi preview with
// the policy pack, then pulumi up, on the real engine and provider), manifests written to rendered/<stack>/.
// Exit 0 when written, 2 when the config or a policy refused it (nothing written).
import { resolve } from "node:path";
import { checkCommandLine, flag, main } from "../../toolchain/src/command-line";
import { renderStack } from "./render";

const commandLine = {
  command: "render",
  usage: "npm run render -- --stack <name> [--out <dir>] [--config-file <path>]",
  values: ["stack", "out", "config-file"],
};

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, commandLine);
  const stack = flag(argv, "stack");
  if (!stack || !/^[A-Za-z0-9._-]+$/.test(stack))
    throw new Error(`--stack = ${stack ?? "(missing)"}: name the stack to render, e.g. --stack production`);
  const out = flag(argv, "out");
  const configFile = flag(argv, "config-file");
  const repoRoot = resolve(__dirname, "..", "..");
  const started = Date.now();
  console.log(`render ${stack}: pulumi preview with the policy pack, then pulumi up on the render platform…`);
  const r = await renderStack({
    stack,
    repoRoot,
    ...(out ? { outDir: resolve(out) } : {}),
    ...(configFile ? { configFile: resolve(configFile) } : {}),
    onOutput: (text) => process.stdout.write(text),
  });
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (!r.ok) {
    console.error(`\nrender ${stack}: FAIL in ${secs(Date.now() - started)}\n  ${r.failure}`);
    return 2;
  }
  console.log(
    `\nrender ${stack}: PASS in ${secs(Date.now() - started)} (preview ${secs(r.previewMs)}, up ${secs(r.upMs)}); ` +
      `policy pack passed; ${r.files.length} manifests in ${r.outDir}`,
  );
  return 0;
});
