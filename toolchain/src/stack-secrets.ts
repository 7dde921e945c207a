// Which passphrase a stack's secrets get: the one definition of a *throwaway* stack, and the refusal of every other
// stack that has no passphrase (no empty passphrase by accident).
//
// Pulumi's passphrase secrets provider reads PULUMI_CONFIG_PASSPHRASE, else the file PULUMI_CONFIG_PASSPHRASE_FILE
// names; a stack whose Pulumi.<stack>.yaml names a `secretsprovider:` (awskms://, hashivault://, …) uses that instead.
// An empty passphrase encrypts nothing anyone cannot decrypt, so only a stack that declares itself throwaway gets it as
// a default:
//
//   config:
//     messaging-platform:throwaway: true
//
// in its Pulumi.<stack>.yaml, for stacks whose state and secrets protect nothing: this machine's `embedded` (the
// embedded default) and `cluster` (the single-node Kubernetes `npm run e2e` builds and destroys), and the stacks tests
// write. The render platform needs none (it runs in its own throwaway state with a random passphrase:
// infra/render/render.ts). A production stack cannot declare it (throwawayProblem; the program refuses it too).
// Every other stack without a passphrase, a passphrase file or a secrets provider is refused before Pulumi runs, with
// a message that says how to set one.
//
// Used before anything runs Pulumi for a named stack: `npm run deploy` (operations/deploy/deploy.ts, also behind
// `npm run e2e`), `npm run pulumi` (toolchain/src/pulumi.ts) and a target `stack:<name>` (smoke-tests/target-select).
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { pulumiProject as project } from "../../contract/pulumi-project";

/** The stack config key by which a stack declares itself throwaway (value `true`). */
export const throwawayKey = `${project}:throwaway`;

/** Why `throwaway` cannot be set as given, or undefined when it can (settings use it too: one rule). */
export function throwawayProblem(value: unknown, environment: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") return "must be true or false";
  if (value && environment === "production")
    return "cannot be set in environment production: a production stack's secrets need a passphrase or a secrets provider";
  return undefined;
}

/** What a stack file says about its secrets. */
export interface StackSecretsDeclaration {
  throwaway: boolean;
  /** `secretsprovider:` of the stack file, when it names one other than the passphrase provider. */
  secretsProvider?: string;
  environment?: unknown;
}

/** Reads the parts of a Pulumi.<stack>.yaml that decide its passphrase (a missing file declares nothing). */
export function readStackDeclaration(text: string | undefined): StackSecretsDeclaration {
  if (text === undefined) return { throwaway: false };
  const doc = (parse(text) ?? {}) as { secretsprovider?: unknown; config?: Record<string, unknown> | null };
  const config = doc.config ?? {};
  const provider = typeof doc.secretsprovider === "string" ? doc.secretsprovider.trim() : "";
  const environment = config[`${project}:environment`];
  return {
    throwaway: config[throwawayKey] === true && throwawayProblem(true, environment) === undefined,
    ...(provider !== "" && !provider.startsWith("passphrase") ? { secretsProvider: provider } : {}),
    environment,
  };
}

export type PassphraseDecision =
  | {
      ok: true;
      /** What to change in the environment Pulumi runs with (undefined: remove the variable). */
      env: Record<string, string | undefined>;
      /** Where the stack's secrets key comes from, for progress lines. */
      source: string;
    }
  | { ok: false; message: string };

export interface PassphraseQuestion {
  stack: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The stack's config file and its text (undefined when there is no such file). */
  stackFile: { path: string; text: string | undefined };
  /** Whether a file exists (PULUMI_CONFIG_PASSPHRASE_FILE); injected so the decision stays pure. */
  fileExists: (path: string) => boolean;
}

/**
 * Pure: the passphrase a stack runs with, or why it may not run. In order: a passphrase file, a non-empty
 * passphrase, the stack file's secrets provider, and, for a throwaway stack only, the empty passphrase by default.
 */
export function passphraseFor(q: PassphraseQuestion): PassphraseDecision {
  const passphrase = q.env.PULUMI_CONFIG_PASSPHRASE;
  const file = q.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (file !== undefined && file !== "" && (passphrase === undefined || passphrase === "")) {
    if (!q.fileExists(file))
      return {
        ok: false,
        message: `stack ${q.stack}: PULUMI_CONFIG_PASSPHRASE_FILE = ${file}: no such file (it names the file holding the stack's secrets passphrase)`,
      };
    // Pulumi reads PULUMI_CONFIG_PASSPHRASE first when it is set, even empty: the file must win.
    return { ok: true, env: { PULUMI_CONFIG_PASSPHRASE: undefined }, source: `passphrase file ${file}` };
  }
  if (passphrase !== undefined && passphrase !== "") return { ok: true, env: {}, source: "PULUMI_CONFIG_PASSPHRASE" };
  let declared: StackSecretsDeclaration;
  try {
    declared = readStackDeclaration(q.stackFile.text);
  } catch (e) {
    return { ok: false, message: `stack ${q.stack}: ${q.stackFile.path} is not YAML (${(e as Error).message})` };
  }
  if (declared.secretsProvider)
    return { ok: true, env: {}, source: `secrets provider ${declared.secretsProvider.split("?")[0]}` };
  if (declared.throwaway)
    return {
      ok: true,
      env: { PULUMI_CONFIG_PASSPHRASE: "" },
      source: "the empty passphrase (a throwaway stack)",
    };
  const production = declared.environment === "production" ? " (a production stack is never throwaway)" : "";
  return {
    ok: false,
    message: [
      `stack ${q.stack} has no secrets passphrase: PULUMI_CONFIG_PASSPHRASE is ${passphrase === undefined ? "not set" : "empty"}, PULUMI_CONFIG_PASSPHRASE_FILE is not set, and ${q.stackFile.path} ${q.stackFile.text === undefined ? "does not exist" : "names no secretsprovider"}.`,
      `    Its secrets (the generated broker passwords) would be encrypted with an empty passphrase; nothing was run. Set one:`,
      `      export PULUMI_CONFIG_PASSPHRASE='<passphrase>'        # or PULUMI_CONFIG_PASSPHRASE_FILE=<file holding it>`,
      `    or give the stack a secrets provider (pulumi stack change-secrets-provider --stack ${q.stack} <awskms://…|hashivault://…|…>).`,
      `    Only a stack whose Pulumi.<stack>.yaml declares \`${throwawayKey}: true\` gets the empty passphrase by default${production}.`,
    ].join("\n"),
  };
}

/** The config file Pulumi reads for a stack: --config-file, else Pulumi.<stack>.yaml in the project directory. */
export function stackFilePath(stack: string, o: { projectDir: string; configFile?: string }): string {
  if (o.configFile) return isAbsolute(o.configFile) ? o.configFile : resolve(o.projectDir, o.configFile);
  // A fully qualified name (org/project/stack) keeps its config in Pulumi.<stack>.yaml too.
  return join(o.projectDir, `Pulumi.${stack.split("/").at(-1)}.yaml`);
}

/**
 * Decides the stack's passphrase and applies it to this process's environment, so that every Pulumi command the
 * process runs or starts for the stack (the Automation API, `pulumi stack output`) gets it. Throws the refusal.
 */
export function usePassphraseFor(stack: string, o: { projectDir: string; configFile?: string }): string {
  const path = stackFilePath(stack, o);
  const decision = passphraseFor({
    stack,
    env: process.env,
    stackFile: { path, text: existsSync(path) ? readFileSync(path, "utf8") : undefined },
    fileExists: existsSync,
  });
  if (!decision.ok) throw new Error(decision.message);
  for (const [k, v] of Object.entries(decision.env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return decision.source;
}

export interface PulumiStackArgs {
  stack?: string;
  cwd?: string;
  configFile?: string;
  /** `stack init --secrets-provider …`: the stack gets that provider. */
  secretsProvider?: string;
}

/**
 * Pure: the stack a Pulumi command line names, and where its config is: `--stack x`, `--stack=x`, `-s x`, or
 * `stack init x`; `--cwd`/`-C`, `--config-file` and `--secrets-provider`. Undefined stack when none is named (Pulumi
 * then uses the selected stack, and asks for the passphrase itself).
 */
export function pulumiStackArgs(args: readonly string[]): PulumiStackArgs {
  const out: PulumiStackArgs = {};
  const positionals: string[] = [];
  const keyOf: Record<string, keyof PulumiStackArgs> = {
    "--stack": "stack",
    "-s": "stack",
    "--cwd": "cwd",
    "-C": "cwd",
    "--config-file": "configFile",
    "--secrets-provider": "secretsProvider",
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") break;
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const key = keyOf[name];
    if (key !== undefined) {
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value !== undefined) out[key] = value;
      continue;
    }
    if (!a.startsWith("-")) positionals.push(a);
  }
  if (out.stack === undefined && positionals[0] === "stack" && positionals[1] === "init" && positionals[2])
    out.stack = positionals[2];
  return out;
}
