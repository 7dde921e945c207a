// `npm run pulumi -- <args>` (toolchain/run pulumi): the project's Pulumi CLI, after the passphrase check of
// toolchain/src/stack-secrets.ts for the stack the arguments name (--stack, -s, `stack init <name>`): a throwaway
// stack gets the empty passphrase by default, any other stack without a passphrase, passphrase file or secrets
// provider is refused before Pulumi runs. Without a named stack the arguments go to Pulumi unchanged.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pulumiStackArgs, usePassphraseFor } from "./stack-secrets";

const args = process.argv.slice(2);
const named = pulumiStackArgs(args);
if (named.stack !== undefined && !(named.secretsProvider && !named.secretsProvider.startsWith("passphrase"))) {
  try {
    usePassphraseFor(named.stack, {
      projectDir: resolve(named.cwd ?? "."),
      ...(named.configFile ? { configFile: named.configFile } : {}),
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
}
const r = spawnSync("pulumi", args, { stdio: "inherit" });
if (r.error) {
  process.stderr.write(`pulumi: ${r.error.message}\n`);
  process.exit(127);
}
process.exit(r.status ?? 1);
