// The commands' shared flag handling: a typo is refused before anything runs, a flag's value is not a flag.
import { flag, refuseUnknownFlags } from "../src/command-line";

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
  });

  it("skips flag values and accepts boolean flags", () => {
    expect(() => refuseUnknownFlags(["--stack", "production", "--out=dir"], ["stack", "out"], "render")).not.toThrow();
    expect(() => refuseUnknownFlags(["--ledger", "--rounds", "3"], ["ledger", "rounds"], "bench")).not.toThrow();
  });
});
