// The leak checks themselves: a secret put on a process's command line is found and named without being repeated,
// one in a child's environment is not (only its user can read that), and a file is searched from where a run began.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CommandLineWatch, fileLeaks, fileSizes, filesUnder, nameSecrets } from "../src/leak-watch";

const secret = { name: "RabbitMQ password of admin", value: "Pw4LeakWatchTest0123xyz" };
const other = { name: "Erlang cookie", value: "Cookie4LeakWatchTest987" };

/** A node process that lives for `ms`, with `args` on its command line and `env` in its environment. */
function child(ms: number, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["-e", `setTimeout(() => {}, ${ms})`, ...args], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    p.on("error", reject);
    p.on("exit", () => resolve());
  });
}

describe("CommandLineWatch", () => {
  it("finds a secret on a command line, naming the process and the secret but never printing it", async () => {
    const watch = CommandLineWatch.start([secret, other], { intervalMs: 20, watchFor: ["leak-watch-marker"] });
    await child(600, ["leak-watch-marker", "--uri", `amqp://admin:${secret.value}@127.0.0.1:5672`]);
    const found = await watch.stop();
    expect(found.seen).toEqual(["leak-watch-marker"]);
    expect(found.leaks).toHaveLength(1);
    expect(found.leaks[0]).toMatch(
      /^pid \d+ `.*leak-watch-marker --uri amqp:\/\/admin:<RabbitMQ password of admin>@127\.0\.0\.1:5672`: RabbitMQ password of admin$/,
    );
    expect(found.leaks.join("\n")).not.toContain(secret.value);
    expect(found.samples).toBeGreaterThan(1);
  });

  it("finds nothing when the secret is only in the child's environment", async () => {
    const watch = CommandLineWatch.start([secret], { intervalMs: 20, watchFor: ["leak-watch-env"] });
    await child(600, ["leak-watch-env"], { MP_PERF_TEST_URI: `amqp://admin:${secret.value}@127.0.0.1:5672` });
    const found = await watch.stop();
    expect(found.seen).toEqual(["leak-watch-env"]);
    expect(found.leaks).toEqual([]);
  });

  it("refuses to look for nothing, or for a value short enough to match by accident", () => {
    expect(() => CommandLineWatch.start([])).toThrow(/vacuously/);
    expect(() => CommandLineWatch.start([{ name: "short", value: "abc" }])).toThrow(/shorter than 8/);
  });
});

describe("fileLeaks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mp-leak-watch-test-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names each file and secret found, in new files whole and in older ones from where the run began", () => {
    const old = join(dir, "logs", "kafka-0.log");
    const report = join(dir, "reports", "r1", "report.json");
    const clean = join(dir, "reports", "r1", "report.md");
    for (const f of [old, report, clean]) mkdirSync(dirname(f), { recursive: true });
    // Written before the run: not this run's doing.
    writeFileSync(old, `earlier: ${other.value}\n`);
    const before = fileSizes(join(dir, "logs"));
    appendFileSync(old, `now: password=${secret.value}\n`);
    writeFileSync(report, JSON.stringify({ error: `connect amqp://admin:${secret.value}@h failed` }));
    writeFileSync(clean, "# kill-leader on embedded: PASS\n");
    const files = [...filesUnder(join(dir, "logs")), ...filesUnder(join(dir, "reports"))];
    expect(files.sort()).toEqual([old, clean, report].sort());
    expect(fileLeaks(files, [secret, other], before).sort()).toEqual(
      [`${old}: RabbitMQ password of admin`, `${report}: RabbitMQ password of admin`].sort(),
    );
    // Without the starting sizes the earlier line counts too.
    expect(fileLeaks([old], [secret, other])).toEqual([`${old}: RabbitMQ password of admin`, `${old}: Erlang cookie`]);
  });

  it("reads a file that shrank since (rewritten) whole", () => {
    const f = join(dir, "rewritten.log");
    writeFileSync(f, "x".repeat(1000));
    const before = fileSizes(dir);
    writeFileSync(f, secret.value);
    expect(fileLeaks([f], [secret], before)).toEqual([`${f}: RabbitMQ password of admin`]);
  });

  it("filesUnder a missing directory is empty", () => {
    expect(filesUnder(join(dir, "nope"))).toEqual([]);
  });
});

describe("nameSecrets", () => {
  it("replaces each secret by its name", () => {
    expect(nameSecrets(`a ${secret.value} b ${other.value}`, [secret, other])).toBe(
      "a <RabbitMQ password of admin> b <Erlang cookie>",
    );
  });
});
