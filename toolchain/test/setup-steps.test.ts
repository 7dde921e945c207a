// The step runner of `npm run setup` on steps written for the test, each on an empty cache of its own: a failing
// command stops its step there, and a step that failed leaves nothing a later run would trust.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../src/exec";
import { cacheDir, repoRoot, version } from "../src/paths";

/** A copy of the step runner with the given step files, and a runner of `setup.sh` on its own empty cache. */
function stepRunner(steps: Record<string, string[]>) {
  const dir = mkdtempSync(join(tmpdir(), "mp-steps-"));
  const tool = join(dir, "toolchain");
  mkdirSync(join(tool, "steps"), { recursive: true });
  for (const f of ["setup.sh", "lib.sh", "versions.env", "steps/common.sh"]) {
    cpSync(join(repoRoot, "toolchain", f), join(tool, f));
  }
  for (const [name, lines] of Object.entries(steps)) writeFileSync(join(tool, "steps", `${name}.sh`), lines.join("\n"));
  const cache = join(dir, "cache");
  return {
    dir,
    cache: join(cache, "toolchain-v1"),
    setup: (...names: string[]) =>
      run("bash", [join(tool, "setup.sh"), ...names], {
        env: { ...process.env, MESSAGING_PLATFORM_CACHE: cache, TEST_DIR: dir },
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe("setup steps", () => {
  it("run under errexit: a failing command in the middle of a step ends it there, named with its step, registry, package and version", () => {
    const r = stepRunner({
      middle: [
        "STEP_REGISTRY=maven-central STEP_PACKAGE=org.example:tool STEP_VERSION=1.4.2",
        'step_inputs() { echo "org.example:tool 1.4.2"; }',
        'step_check() { [ -f "$TEST_DIR/after" ]; }',
        "step_install() {",
        '  echo "fetching org.example:tool"',
        '  cp "$TEST_DIR/no-such-jar.jar" "$TEST_DIR/tool.jar"',
        '  touch "$TEST_DIR/after"',
        "}",
      ],
    });
    try {
      const out = r.setup("middle");
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(
        /FAILED: step=middle registry=maven-central package=org\.example:tool version=1\.4\.2: `cp "\$TEST_DIR\/no-such-jar\.jar" "\$TEST_DIR\/tool\.jar"` exited 1/,
      );
      expect(out.stderr).toContain("no-such-jar.jar': No such file or directory");
      expect(existsSync(join(r.dir, "after"))).toBe(false);
      expect(existsSync(join(r.cache, "stamps", "middle"))).toBe(false);
    } finally {
      r.remove();
    }
  });

  it("a step whose check fails leaves no build behind: the next run builds again and passes, no hand work", () => {
    // Like the librdkafka step: the build is cached and reused when present. The first build is wrong (as a binding
    // built against the wrong Node headers was); were it kept, every later run would copy it and fail again.
    const r = stepRunner({
      flaky: [
        "STEP_REGISTRY=npm STEP_PACKAGE=example-binding STEP_VERSION=2.0.0",
        'BUILD="$MP_CACHE/example-binding-2.0.0"',
        'step_inputs() { echo "example-binding 2.0.0"; }',
        'step_outputs() { printf "%s\\n" "$BUILD"; }',
        'step_check() { grep -qx "built for the pinned node" "$BUILD/binding"; }',
        "build() {",
        '  mkdir -p "$BUILD"',
        '  if [ -f "$TEST_DIR/built-once" ]; then echo "built for the pinned node" >"$BUILD/binding"',
        '  else echo "built for another node" >"$BUILD/binding"; touch "$TEST_DIR/built-once"; fi',
        "}",
        'step_install() { [ -f "$BUILD/binding" ] || build; }',
      ],
    });
    try {
      const first = r.setup("flaky");
      expect(first.code).toBe(1);
      expect(first.stderr).toContain("FAILED: step=flaky installed but its check failed");
      expect(first.stderr).toContain("removed");
      expect(existsSync(join(r.cache, "example-binding-2.0.0"))).toBe(false);

      const second = r.setup("flaky");
      expect(second.stderr).toBe("");
      expect(second.stdout).toMatch(/\[1\/1\] flaky\s+ok/);
      expect(second.code).toBe(0);
      expect(readFileSync(join(r.cache, "example-binding-2.0.0", "binding"), "utf8")).toBe(
        "built for the pinned node\n",
      );
    } finally {
      r.remove();
    }
  });

  it("a step whose install fails removes its partial build, and never what lies outside the cache", () => {
    const r = stepRunner({
      partial: [
        "STEP_REGISTRY=go-proxy STEP_PACKAGE=example.com/tool STEP_VERSION=v0.3.1",
        'step_inputs() { echo "example.com/tool v0.3.1"; }',
        'step_outputs() { printf "%s\\n" "$MP_CACHE/tool-0.3.1" "$TEST_DIR/outside"; }',
        "step_check() { false; }",
        'step_install() { mkdir -p "$MP_CACHE/tool-0.3.1" "$TEST_DIR/outside"; echo half >"$MP_CACHE/tool-0.3.1/bin"; false; }',
      ],
    });
    try {
      const out = r.setup("partial");
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(
        "FAILED: step=partial registry=go-proxy package=example.com/tool version=v0.3.1: `false` exited 1",
      );
      expect(existsSync(join(r.cache, "tool-0.3.1"))).toBe(false);
      expect(out.stderr).toContain("outside the cache and node_modules");
      expect(existsSync(join(r.dir, "outside"))).toBe(true);
    } finally {
      r.remove();
    }
  });

  it("a step that needs more free disk than there is fails before its install starts, naming the figures", () => {
    const r = stepRunner({
      big: [
        "STEP_REGISTRY=go-proxy STEP_PACKAGE=example.com/big STEP_VERSION=v1.0.0",
        "STEP_DISK_MIB=999999999",
        'step_inputs() { echo "example.com/big v1.0.0"; }',
        "step_check() { false; }",
        'step_install() { touch "$TEST_DIR/started"; }',
      ],
    });
    try {
      const out = r.setup("big");
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(
        /^FAILED: step=big needs 999999999 MiB of free disk to build \(STEP_DISK_MIB in steps\/big\.sh\): \S+ has \d+ MiB free \(filesystem \/\S*\)/m,
      );
      expect(out.stderr).toContain("point MESSAGING_PLATFORM_CACHE, GOCACHE, GOMODCACHE or TMPDIR at a larger disk");
      expect(existsSync(join(r.dir, "started"))).toBe(false);
    } finally {
      r.remove();
    }
  });

  it("a step with the disk it needs installs", () => {
    const r = stepRunner({
      small: [
        "STEP_REGISTRY=go-proxy STEP_PACKAGE=example.com/small STEP_VERSION=v1.0.0",
        "STEP_DISK_MIB=1",
        'step_inputs() { echo "example.com/small v1.0.0"; }',
        'step_check() { [ -f "$TEST_DIR/started" ]; }',
        'step_install() { touch "$TEST_DIR/started"; }',
      ],
    });
    try {
      const out = r.setup("small");
      expect(out.stderr).toBe("");
      expect(out.code).toBe(0);
    } finally {
      r.remove();
    }
  });

  it("a build that ran out of disk is named as such, with the free space of every filesystem it writes to", () => {
    const r = stepRunner({
      full: [
        "STEP_REGISTRY=go-proxy STEP_PACKAGE=example.com/full STEP_VERSION=v2.0.0",
        'step_inputs() { echo "example.com/full v2.0.0"; }',
        "step_check() { false; }",
        "step_install() {",
        '  echo "example.com/full/pkg: mkdir /tmp/go-build1/b1505/: no space left on device"',
        '  fail go-proxy example.com/full v2.0.0 "go build failed"',
        "}",
      ],
    });
    try {
      const out = r.setup("full");
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(
        /^FAILED: step=full ran out of disk \("no space left on device" in its log; free now: \S+ \d+ MiB \(filesystem \/\S*\)/m,
      );
      expect(out.stderr).toContain(
        "then: FAILED: step=full registry=go-proxy package=example.com/full version=v2.0.0: go build failed",
      );
    } finally {
      r.remove();
    }
  });

  it("prints one line with every step's time", () => {
    const r = stepRunner({
      quick: [
        "STEP_REGISTRY=npm STEP_PACKAGE=quick STEP_VERSION=1",
        "step_inputs() { echo 1; }",
        "step_check() { true; }",
        "step_install() { true; }",
      ],
    });
    try {
      const out = r.setup("quick", "quick");
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^setup: done in \d+s \(quick \d+s, quick \d+s\)$/m);
    } finally {
      r.remove();
    }
  });
});

describe("the librdkafka step", () => {
  it("configures the binding against the pinned Node's headers even where the machine's npm says nodedir=/usr", () => {
    // npm exports a user's ~/.npmrc `nodedir=/usr` to every script as npm_config_nodedir, and node-gyp takes it over
    // its own --nodedir: that built the binding for Debian's Node 20 on a new machine.
    const pkg = join(repoRoot, "node_modules", "@confluentinc", "kafka-javascript");
    const dir = mkdtempSync(join(tmpdir(), "mp-librdkafka-"));
    try {
      const copy = join(dir, "kafka-javascript");
      cpSync(pkg, copy, { recursive: true, filter: (src) => src !== join(pkg, "build") });
      const r = run(
        "bash",
        [
          "-c",
          'source toolchain/lib.sh && source toolchain/steps/common.sh && source toolchain/steps/librdkafka.sh && cd "$1" && configure_binding',
          "configure",
          copy,
        ],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            npm_config_nodedir: "/usr",
            NPM_CONFIG_NODEDIR: "/usr",
            npm_config_devdir: join(dir, "devdir"),
            NODE_PATH: join(repoRoot, "node_modules"),
          },
        },
      );
      expect(r.stderr).toContain("gyp info ok");
      expect(r.code).toBe(0);
      const gypi = readFileSync(join(copy, "build", "config.gypi"), "utf8");
      const nodeHome = join(cacheDir, `node-${version("NODE_VERSION")}`);
      expect(gypi).toContain(`"nodedir": "${nodeHome}"`);
      expect(gypi).toContain(`"node_module_version": ${process.versions.modules},`);
      expect(r.stderr).toContain(`-Dnode_root_dir=${nodeHome}`);
      expect(r.stderr).not.toContain("/usr/include/node");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("its check compares the binding's module version with the pinned Node's", () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-librdkafka-check-"));
    try {
      // A package whose config.gypi says Node 20's headers built it, as the wrong build on a new machine did.
      const pkg = join(dir, "node_modules", "@confluentinc", "kafka-javascript");
      mkdirSync(join(pkg, "build"), { recursive: true });
      writeFileSync(
        join(pkg, "build", "config.gypi"),
        '# Do not edit\n{\n  "variables": {\n    "node_module_version": 115,\n    "nodedir": "/usr"\n  }\n}\n',
      );
      const r = run(
        "bash",
        [
          "-c",
          'source toolchain/lib.sh && source toolchain/steps/common.sh && source toolchain/steps/librdkafka.sh && PKG_DIR="$1" && step_check',
          "check",
          pkg,
        ],
        { cwd: repoRoot },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `the binding was built for NODE_MODULE_VERSION 115 (headers from /usr); the pinned Node v${version("NODE_VERSION")} needs ${process.versions.modules}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
