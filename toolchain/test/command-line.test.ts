// The commands' shared command-line handling: a typo is refused before anything runs, a flag's value is not a flag,
// an unknown command or flag prints the usage on stderr and exits non-zero, in every CLI of the project.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleTarget } from "../../contract/test/sample-target";
import {
  checkCommandLine,
  errorOutcome,
  flag,
  HelpRequested,
  refuseUnknownFlags,
  UsageError,
} from "../src/command-line";
import { run } from "../src/exec";
import { repoRoot } from "../src/paths";

describe("command-line flags", () => {
  it("reads --name value and --name=value", () => {
    expect(flag(["--stack", "production"], "stack")).toBe("production");
    expect(flag(["--stack=staging"], "stack")).toBe("staging");
    expect(flag([], "stack")).toBeUndefined();
  });

  it("refuses an unknown flag, naming it and the known ones", () => {
    expect(() => refuseUnknownFlags(["--stak", "x"], ["stack", "out"], "render")).toThrow(
      "--stak is not a render flag (flags: --stack, --out)",
    );
    expect(() => refuseUnknownFlags(["--stak"], ["stack"], "render", "npm run render -- --stack <name>")).toThrow(
      UsageError,
    );
  });

  it("skips flag values and accepts boolean flags", () => {
    expect(() => refuseUnknownFlags(["--stack", "production", "--out=dir"], ["stack", "out"], "render")).not.toThrow();
    expect(() => refuseUnknownFlags(["--ledger", "--rounds", "3"], ["ledger", "rounds"], "bench")).not.toThrow();
  });
});

describe("checkCommandLine: the whole command line, before anything runs", () => {
  const spec = {
    command: "deploy",
    usage: "npm run deploy -- --stack <name> [--keep]",
    values: ["stack"],
    switches: ["keep"],
  };
  const refusal = (argv: string[], s: Parameters<typeof checkCommandLine>[1] = spec) => {
    try {
      checkCommandLine(argv, s);
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it("accepts known flags, their values and switches, and returns the positional arguments", () => {
    expect(checkCommandLine(["--stack", "staging", "--keep"], spec)).toEqual([]);
    expect(checkCommandLine(["--stack=-odd-name"], spec)).toEqual([]);
    // A negative number is the flag's value, left to the flag's own rule (`--workers -1 must be an integer from 1`).
    expect(checkCommandLine(["--stack", "-1", "--keep"], spec)).toEqual([]);
    const fault = {
      command: "embedded:fault",
      usage: "fault <action> <node>",
      positionals: { min: 2, max: 2, what: "<action> <node>" },
    };
    expect(checkCommandLine(["kill", "kafka-0"], fault)).toEqual(["kill", "kafka-0"]);
    expect(checkCommandLine(["--", "-5"], { ...fault, positionals: { max: 1, what: "a number" } })).toEqual(["-5"]);
  });

  it.each([
    [["--stak", "x"], "--stak is not a flag of deploy (flags: --stack, --keep)"],
    [["-s", "x"], "-s is not a flag of deploy (flags are spelled --name)"],
    [["--stack"], "--stack needs a value (--stack <value>)"],
    [["--stack", "--keep"], "--stack needs a value (--stack <value>)"],
    [["--stack", "-k"], "--stack needs a value (--stack <value>)"],
    [["--keep=yes"], "--keep takes no value (got --keep=yes)"],
    [["--stack", "staging", "extra"], 'deploy takes no arguments (got "extra")'],
  ])("%j: %s, with the usage", (argv, message) => {
    const e = refusal(argv);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).message).toBe(message);
    expect((e as UsageError).usage).toBe(spec.usage);
  });

  it("too many or too few positional arguments say what the command takes", () => {
    const leader = {
      command: "leader",
      usage: "leader queue <name>",
      positionals: { min: 2, max: 3, what: "partition <topic> [p] | controller | queue <name>" },
    };
    expect((refusal(["a", "b", "c", "d"], leader) as Error).message).toBe(
      'unexpected argument "d": leader takes partition <topic> [p] | controller | queue <name>',
    );
    expect((refusal(["queue"], leader) as Error).message).toBe(
      "leader needs partition <topic> [p] | controller | queue <name>",
    );
    expect((refusal(["x"], { command: "status", usage: "status" }) as Error).message).toBe(
      'status takes no arguments (got "x")',
    );
  });

  it("--help and -h ask for the usage", () => {
    expect(refusal(["--help"])).toBeInstanceOf(HelpRequested);
    expect(refusal(["--stack", "x", "-h"])).toBeInstanceOf(HelpRequested);
  });

  it("main() prints a usage mistake with the usage on stderr and exits 2; --help on stdout, 0", () => {
    expect(errorOutcome(new UsageError("--x is not a deploy flag", "npm run deploy -- --stack <name>"))).toEqual({
      stream: "stderr",
      text: "\n--x is not a deploy flag\nusage: npm run deploy -- --stack <name>\n",
      code: 2,
    });
    expect(errorOutcome(new HelpRequested("npm run deploy -- --stack <name>"))).toEqual({
      stream: "stdout",
      text: "usage: npm run deploy -- --stack <name>\n",
      code: 0,
    });
    expect(errorOutcome(new Error("broker unreachable"))).toEqual({
      stream: "stderr",
      text: "\nbroker unreachable\n",
      code: 2,
    });
  });
});

describe("every CLI: an unknown command, flag or argument prints the usage on stderr and exits 2, before anything runs", () => {
  jest.setTimeout(120_000);
  const tsx = (file: string, ...args: string[]) => [process.execPath, "--import", "tsx", file, ...args];
  const cases: Array<[string, string[], RegExp]> = [
    ["npm run deploy", tsx("operations/cli/deploy.ts", "--stack", "embedded", "now"), /deploy takes no arguments/],
    ["npm run render", tsx("infra/render/cli.ts", "--stak", "production"), /--stak is not a flag of render/],
    ["npm run image", tsx("images/cli.ts", "--oci"), /--oci needs a value/],
    ["npm run compare", tsx("operations/cli/compare.ts", "kill-leader", "isolate-node"), /unexpected argument/],
    ["npm run embedded:*", tsx("embedded/cli.ts", "upp"), /upp is not a command \(commands: main-job, up, down/],
    [
      "npm run embedded:up",
      tsx("embedded/cli.ts", "up", "--dedicated"),
      /--dedicated is not a flag of embedded\/cli.ts up/,
    ],
    ["cluster/images.ts", tsx("cluster/images.ts", "--system", "--app"), /--app is not a flag of cluster\/images.ts/],
    ["npm run cluster:*", ["bash", "cluster/cluster.sh", "restart"], /restart is not a command/],
    ["npm run cluster:down", ["bash", "cluster/cluster.sh", "down", "--purg"], /down takes only --purge/],
    ["npm run setup", ["bash", "toolchain/setup.sh", "--all"], /unknown step '--all'/],
    ["toolchain/run", ["bash", "toolchain/run", "tsx"], /^usage: toolchain\/run/],
  ];
  it.each(cases)("%s: %j", (_name, [cmd, ...args], message) => {
    const r = run(cmd as string, args, { cwd: repoRoot, timeoutMs: 90_000 });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: /);
    expect(r.code).toBe(2);
  });

  it.each([
    ["bogus", /--system = bogus is not kafka or rabbitmq/],
    ["kafka,rabbitmq", /--system = kafka,rabbitmq: name one system, kafka or rabbitmq/],
  ])("npm run tls-rotation --system %s: refused before the target is read", (system, message) => {
    const args = ["--import", "tsx", "operations/cli/tls-rotation.ts", "--target", "stack:no-such-stack"];
    const r = run(process.execPath, [...args, "--system", system], { cwd: repoRoot, timeoutMs: 90_000 });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it("npm run drill --kill sigterm: refused before the target is read", () => {
    const args = ["--import", "tsx", "operations/cli/drill.ts", "kill-leader", "--target", "stack:no-such-stack"];
    const r = run(process.execPath, [...args, "--kill", "sigterm"], { cwd: repoRoot, timeoutMs: 90_000 });
    expect(r.stderr).toMatch(
      /--kill = sigterm is not a kill mode: crash-restart, hold-down or decoy \(a deliberate break\)/,
    );
    expect(r.code).toBe(2);
  });

  it("npm run drill --kill crash-restart on an embedded target: refused before the target is contacted", () => {
    // A valid embedded target on loopback ports where nothing listens: contacting it would fail its reachability.
    const dir = mkdtempSync(join(tmpdir(), "mp-drill-kill-"));
    try {
      const file = join(dir, "target.json");
      writeFileSync(file, JSON.stringify(sampleTarget()));
      const args = ["--import", "tsx", "operations/cli/drill.ts", "kill-leader", "--target", `file:${file}`];
      const r = run(process.execPath, [...args, "--kill", "crash-restart"], { cwd: repoRoot, timeoutMs: 90_000 });
      expect(r.stderr).toMatch(/--kill = crash-restart: the embedded target offers only hold-down/);
      expect(r.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["--system", "bogus", /--system = bogus is not kafka or rabbitmq/],
    ["--kafka-client", "bogus", /--kafka-client = bogus: must be one of kafkajs, librdkafka, platformatic/],
    ["--kill-worker", "1", /--kill-worker = 1 needs --workers 2 or more: a drill does not kill its only load/],
    ["--workers", "-1", /--workers = -1 must be an integer from 1 to 64/],
    ["--workers", "abc", /--workers = abc must be an integer from 1 to 64/],
  ])("npm run smoke %s %s: refused before the target is read", (name, value, message) => {
    const args = ["--import", "tsx", "smoke-tests/cli/smoke.ts", "--target", "stack:no-such-stack"];
    const r = run(process.execPath, [...args, name, value], { cwd: repoRoot, timeoutMs: 90_000 });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it("--help prints the usage on stdout and exits 0", () => {
    const r = run(process.execPath, ["--import", "tsx", "embedded/cli.ts", "help"], { cwd: repoRoot });
    expect(r.stdout).toMatch(/^usage: embedded\/cli.ts <command>/);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
