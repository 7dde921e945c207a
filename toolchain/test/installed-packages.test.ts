// Setup's node_modules check: what is installed must be what the lockfile locks, for this machine's platform; a
// lockfile listing more optional platform packages than npm installs here is not drift.
import { appliesTo, installProblems, type LockEntry, readInstalled } from "../src/installed-packages";
import { repoRoot } from "../src/paths";

const linux = { os: "linux", cpu: "x64", libc: "glibc" } as const;
const locked: Record<string, LockEntry> = {
  "": {},
  "node_modules/jest": { version: "30.5.2", dev: true },
  "node_modules/@biomejs/cli-linux-x64": {
    version: "2.6.8",
    optional: true,
    os: ["linux"],
    cpu: ["x64"],
    libc: ["glibc"],
  },
  "node_modules/@biomejs/cli-linux-x64-musl": {
    version: "2.6.8",
    optional: true,
    os: ["linux"],
    cpu: ["x64"],
    libc: ["musl"],
  },
  "node_modules/@biomejs/cli-win32-x64": { version: "2.6.8", optional: true, os: ["win32"], cpu: ["x64"] },
  "node_modules/fsevents": { version: "2.3.3", optional: true, os: ["darwin"] },
  "node_modules/a/node_modules/b": { version: "1.0.0" },
};
const installed = () =>
  new Map([
    ["node_modules/jest", "30.5.2"],
    ["node_modules/@biomejs/cli-linux-x64", "2.6.8"],
    ["node_modules/a/node_modules/b", "1.0.0"],
  ]);

describe("node_modules against package-lock.json", () => {
  it("agrees when every package for this platform is installed at its locked version", () => {
    expect(installProblems(locked, installed(), linux)).toEqual([]);
  });

  it("other platforms' optional packages in the lockfile are not drift (the registry served them one day)", () => {
    expect(appliesTo(locked["node_modules/fsevents"] as LockEntry, linux)).toBe(false);
    expect(appliesTo(locked["node_modules/@biomejs/cli-linux-x64-musl"] as LockEntry, linux)).toBe(false);
    expect(appliesTo(locked["node_modules/@biomejs/cli-linux-x64"] as LockEntry, linux)).toBe(true);
    expect(appliesTo({ os: ["!win32"] }, linux)).toBe(true);
    expect(appliesTo({ os: ["!linux"] }, linux)).toBe(false);
  });

  it("a package at another version than locked is a problem, named with both versions", () => {
    const i = installed().set("node_modules/jest", "30.6.0");
    expect(installProblems(locked, i, linux)).toEqual(["node_modules/jest: locked at 30.5.2, installed 30.6.0"]);
  });

  it("a missing package that applies here is a problem, optional or not", () => {
    const i = installed();
    i.delete("node_modules/@biomejs/cli-linux-x64");
    i.delete("node_modules/a/node_modules/b");
    expect(installProblems(locked, i, linux)).toEqual([
      "node_modules/@biomejs/cli-linux-x64: locked at 2.6.8, not installed",
      "node_modules/a/node_modules/b: locked at 1.0.0, not installed",
    ]);
  });

  it("an installed package the lockfile does not lock is a problem", () => {
    const i = installed().set("node_modules/left-pad", "1.3.0");
    expect(installProblems(locked, i, linux)).toEqual([
      "node_modules/left-pad: installed 1.3.0, not in package-lock.json",
    ]);
  });

  it("this checkout's node_modules matches its lockfile", () => {
    const lock = require(`${repoRoot}/package-lock.json`) as { packages: Record<string, LockEntry> };
    const here = readInstalled(repoRoot);
    expect(here.get("node_modules/@pulumi/kubernetes")).toBe(lock.packages["node_modules/@pulumi/kubernetes"]?.version);
    expect(installProblems(lock.packages, here, { os: process.platform, cpu: process.arch, libc: "glibc" })).toEqual(
      [],
    );
  });
});
