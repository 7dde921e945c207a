// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell templates, ${NAME} is their syntax
// The shell scripts' rules: each stops at the first error (set -euo pipefail) or says in a comment why not, and the
// cluster's two helpers that decide what counts as an error: fill_template (envsubst that refuses an unset
// variable) and unexpected_create_output (kubectl create's output less the expected AlreadyExists).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../src/paths";

/** Runs `script` in bash with cluster/lib.sh sourced; stdin `input`. */
function withClusterLib(script: string, input = "") {
  const r = spawnSync("bash", ["-c", `set -euo pipefail; source cluster/lib.sh; ${script}`], {
    cwd: repoRoot,
    input,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("every shell script", () => {
  // toolchain/steps/*.sh only define a step's functions, which toolchain/setup.sh runs under errexit and pipefail.
  const scripts = execFileSync("git", ["ls-files", "*.sh", "toolchain/run", ".ci/run"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f !== "" && !f.startsWith("toolchain/steps/"));

  it("reads the scripts", () => {
    expect(scripts).toEqual(expect.arrayContaining(["cluster/cluster.sh", "cluster/volume-reclaimer.sh"]));
  });

  it("sets -euo pipefail, or its caller's options apply (sourced), or a comment says why not", () => {
    const silent = scripts.filter((f) => {
      const text = readFileSync(join(repoRoot, f), "utf8");
      return !text.includes("set -euo pipefail") && !/^# No -e: /m.test(text);
    });
    expect(silent).toEqual([]);
  });
});

describe("fill_template (cluster/lib.sh)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mp-template-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "manifest.yaml");

  it("replaces every ${NAME} with the variable, once, and leaves $NAME, $(cmd) and the last newline as they are", () => {
    writeFileSync(file, "image: ${IMAGE}\nip: ${IP} ${IP}\nkeep: $IMAGE $(date) ${}\n\n");
    const r = withClusterLib(`IMAGE='a:\${IP}' IP=10.0.0.1 fill_template ${file}`);
    expect(r).toEqual({
      code: 0,
      stdout: "image: a:${IP}\nip: 10.0.0.1 10.0.0.1\nkeep: $IMAGE $(date) ${}\n\n",
      stderr: "",
    });
  });

  it("an empty value is a value; an unset one is an error naming it, and nothing is written", () => {
    writeFileSync(file, "a: ${EMPTY}\nb: ${MISSING_ONE}\n");
    expect(withClusterLib(`EMPTY= fill_template ${file}`)).toMatchObject({ code: 1, stdout: "" });
    expect(withClusterLib(`EMPTY= fill_template ${file}`).stderr).toBe(`${file}: \${MISSING_ONE} is not set\n`);
    writeFileSync(file, "a: ${EMPTY}\n");
    expect(withClusterLib(`EMPTY= fill_template ${file}`)).toEqual({ code: 0, stdout: "a: \n", stderr: "" });
  });
});

describe("unexpected_create_output (cluster/lib.sh)", () => {
  it("leaves nothing of volumes created and volumes that exist already", () => {
    const out = [
      "persistentvolume/local-pv-00 created",
      'Error from server (AlreadyExists): error when creating "STDIN": persistentvolumes "local-pv-01" already exists',
    ].join("\n");
    expect(withClusterLib("unexpected_create_output", out)).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("keeps every other line: an API server that does not answer, a refused object", () => {
    const out = [
      "persistentvolume/local-pv-00 created",
      "The connection to the server 10.214.0.1:6443 was refused - did you specify the right host or port?",
      'Error from server (Forbidden): error when creating "STDIN": persistentvolumes is forbidden',
    ].join("\n");
    expect(withClusterLib("unexpected_create_output", out).stdout).toBe(`${out.split("\n").slice(1).join("\n")}\n`);
  });
});
