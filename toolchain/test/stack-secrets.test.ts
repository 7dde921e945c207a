// No empty passphrase by accident: which stack, which environment, which stack file → the passphrase it runs with,
// or the refusal naming the stack, the variable and how to set one. Then the refusal where it is used: `npm run
// deploy -- --stack staging` stops before preview, `npm run pulumi -- … --stack staging` before Pulumi runs.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../src/exec";
import { repoRoot } from "../src/paths";
import {
  type PassphraseQuestion,
  passphraseFor,
  pulumiStackArgs,
  readStackDeclaration,
  stackFilePath,
  throwawayKey,
  throwawayProblem,
} from "../src/stack-secrets";

const stackText = (stack: string) => readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");
const ask = (
  stack: string,
  env: Record<string, string | undefined>,
  /** The stack file's text; null: no such file; default: the repository's. */
  text: string | null = stackText(stack),
  files: string[] = [],
) =>
  passphraseFor({
    stack,
    env,
    stackFile: { path: `Pulumi.${stack}.yaml`, text: text ?? undefined },
    fileExists: (p) => files.includes(p),
  } satisfies PassphraseQuestion);

describe("the passphrase a stack runs with", () => {
  it("staging without a passphrase is refused, naming the stack, the variable and how to set one", () => {
    const d = ask("staging", {});
    expect(d.ok).toBe(false);
    const message = d.ok ? "" : d.message;
    expect(message).toMatch(/^stack staging has no secrets passphrase: PULUMI_CONFIG_PASSPHRASE is not set,/);
    expect(message).toContain(
      "PULUMI_CONFIG_PASSPHRASE_FILE is not set, and Pulumi.staging.yaml names no secretsprovider",
    );
    expect(message).toContain("export PULUMI_CONFIG_PASSPHRASE='<passphrase>'");
    expect(message).toContain("pulumi stack change-secrets-provider --stack staging");
    expect(message).toContain(`\`${throwawayKey}: true\``);
  });

  it("an empty PULUMI_CONFIG_PASSPHRASE is no passphrase for a stack that is not throwaway", () => {
    const d = ask("production", { PULUMI_CONFIG_PASSPHRASE: "" });
    expect(d.ok ? "" : d.message).toMatch(
      /^stack production has no secrets passphrase: PULUMI_CONFIG_PASSPHRASE is empty/,
    );
  });

  it("a passphrase, a passphrase file or a secrets provider lets any stack run", () => {
    expect(ask("staging", { PULUMI_CONFIG_PASSPHRASE: "s3cret" })).toEqual({
      ok: true,
      env: {},
      source: "PULUMI_CONFIG_PASSPHRASE",
    });
    // The file wins over an empty PULUMI_CONFIG_PASSPHRASE, which Pulumi would otherwise read first.
    expect(
      ask("staging", { PULUMI_CONFIG_PASSPHRASE: "", PULUMI_CONFIG_PASSPHRASE_FILE: "/etc/mp/pass" }, null, [
        "/etc/mp/pass",
      ]),
    ).toEqual({ ok: true, env: { PULUMI_CONFIG_PASSPHRASE: undefined }, source: "passphrase file /etc/mp/pass" });
    const kms = `${stackText("staging")}secretsprovider: awskms://alias/mp?region=eu-west-1\n`;
    expect(ask("staging", {}, kms)).toEqual({ ok: true, env: {}, source: "secrets provider awskms://alias/mp" });
  });

  it("a passphrase file that does not exist, or the passphrase provider named in the file, is no passphrase", () => {
    const d = ask("staging", { PULUMI_CONFIG_PASSPHRASE_FILE: "/nowhere/pass" });
    expect(d.ok ? "" : d.message).toBe(
      "stack staging: PULUMI_CONFIG_PASSPHRASE_FILE = /nowhere/pass: no such file (it names the file holding the stack's secrets passphrase)",
    );
    expect(ask("staging", {}, `${stackText("staging")}secretsprovider: passphrase\n`).ok).toBe(false);
  });

  it("the throwaway stacks of this machine (embedded, cluster) get the empty passphrase by default", () => {
    for (const stack of ["embedded", "cluster"]) {
      expect(ask(stack, {})).toEqual({
        ok: true,
        env: { PULUMI_CONFIG_PASSPHRASE: "" },
        source: "the empty passphrase (a throwaway stack)",
      });
      // A passphrase given is kept.
      expect(ask(stack, { PULUMI_CONFIG_PASSPHRASE: "x" }).ok && ask(stack, { PULUMI_CONFIG_PASSPHRASE: "x" })).toEqual(
        { ok: true, env: {}, source: "PULUMI_CONFIG_PASSPHRASE" },
      );
    }
  });

  it("a test stack declares itself throwaway the same way; a missing stack file declares nothing", () => {
    const test = `config:\n  ${throwawayKey}: true\n  messaging-platform:environment: development\n`;
    expect(ask("broken", {}, test).ok).toBe(true);
    expect(ask("broken", {}, test.replace("true", '"true"')).ok).toBe(false);
    const missing = ask("nowhere", {}, null);
    expect(missing.ok ? "" : missing.message).toContain("Pulumi.nowhere.yaml does not exist");
  });

  it("a production stack is never throwaway", () => {
    const text = `config:\n  ${throwawayKey}: true\n  messaging-platform:environment: production\n`;
    const d = ask("prod", {}, text);
    expect(d.ok ? "" : d.message).toContain("(a production stack is never throwaway)");
    expect(throwawayProblem(true, "production")).toMatch(/^cannot be set in environment production/);
    expect(throwawayProblem(true, "staging")).toBeUndefined();
    expect(throwawayProblem("yes", "staging")).toBe("must be true or false");
    expect(throwawayProblem(undefined, "production")).toBeUndefined();
  });

  it("of the repository's stacks, exactly embedded and cluster are throwaway", () => {
    const stacks = readdirSync(repoRoot)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined);
    expect(stacks).toEqual(expect.arrayContaining(["cluster", "dev", "embedded", "production", "staging"]));
    const throwaway = stacks.filter((s) => readStackDeclaration(stackText(s)).throwaway).sort();
    expect(throwaway).toEqual(["cluster", "embedded"]);
  });
});

describe("the stack a Pulumi command line names", () => {
  it.each([
    [["up", "--stack", "staging"], { stack: "staging" }],
    [["preview", "--stack=staging", "--cwd", "/p"], { stack: "staging", cwd: "/p" }],
    [["stack", "output", "-s", "cluster", "--json"], { stack: "cluster" }],
    [["stack", "init", "cluster"], { stack: "cluster" }],
    [["stack", "init", "--secrets-provider=awskms://k", "prod"], { stack: "prod", secretsProvider: "awskms://k" }],
    [["up", "-C", "/p", "--config-file", "c.yaml", "-s", "x"], { stack: "x", cwd: "/p", configFile: "c.yaml" }],
    [["stack", "ls"], {}],
    [["version"], {}],
  ] as const)("%j → %j", (args, want) => {
    expect(pulumiStackArgs(args)).toEqual(want);
  });

  it("reads the stack's config where Pulumi does", () => {
    expect(stackFilePath("staging", { projectDir: "/repo" })).toBe("/repo/Pulumi.staging.yaml");
    expect(stackFilePath("org/mp/staging", { projectDir: "/repo" })).toBe("/repo/Pulumi.staging.yaml");
    expect(stackFilePath("staging", { projectDir: "/repo", configFile: "tmp/s.yaml" })).toBe("/repo/tmp/s.yaml");
    expect(stackFilePath("staging", { projectDir: "/repo", configFile: "/t/s.yaml" })).toBe("/t/s.yaml");
  });
});

describe("the refusal where Pulumi runs for a named stack", () => {
  jest.setTimeout(120_000);
  let state: string;
  beforeAll(() => {
    state = mkdtempSync(join(tmpdir(), "mp-passphrase-"));
  });
  afterAll(() => rmSync(state, { recursive: true, force: true }));
  /** This environment with no passphrase at all, and a state backend of its own. */
  const noPassphrase = () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_BACKEND_URL: `file://${state}` };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    return env;
  };

  it("npm run deploy -- --stack staging stops at config, before preview, with the message", () => {
    const r = run(process.execPath, ["--import", "tsx", "operations/cli/deploy.ts", "--stack", "staging"], {
      cwd: repoRoot,
      env: noPassphrase(),
      timeoutMs: 90_000,
    });
    const out = r.stdout + r.stderr;
    expect(out).toContain("deploy staging: FAIL at config");
    expect(out).toContain("stack staging has no secrets passphrase: PULUMI_CONFIG_PASSPHRASE is not set");
    expect(out).toContain("export PULUMI_CONFIG_PASSPHRASE=");
    expect(out).not.toMatch(/preview/i);
    expect(r.code).toBe(2);
    // Nothing was created: no stack in the state backend.
    expect(readdirSync(state)).toEqual([]);
  });

  it("npm run pulumi -- preview --stack staging is refused before Pulumi runs; a command naming no stack runs", () => {
    const wrapper = ["--import", "tsx", "toolchain/src/pulumi.ts"];
    const refused = run(process.execPath, [...wrapper, "preview", "--stack", "staging"], {
      cwd: repoRoot,
      env: noPassphrase(),
      timeoutMs: 60_000,
    });
    expect(refused.stderr).toMatch(/^stack staging has no secrets passphrase/);
    expect(refused.stdout).toBe("");
    expect(refused.code).toBe(2);
    const version = run(process.execPath, [...wrapper, "version"], { cwd: repoRoot, env: noPassphrase() });
    expect(version.stdout.trim()).toMatch(/^v3\.\d+\.\d+/);
    expect(version.code).toBe(0);
  });
});
