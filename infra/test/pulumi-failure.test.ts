import { pulumiFailure } from "../pulumi-failure";

describe("pulumiFailure", () => {
  it("puts the failed resource before the registrations the engine's shutdown failed after it", () => {
    const message = [
      "code: 255",
      "    error: update failed",
      "    error: kubernetes:helm.sh/v4:Chart resource 'smoke-gate' has a problem: grpc: the client connection is closing",
      "    error: Error: failed to register new resource smoke-gate [kubernetes:helm.sh/v4:Chart]: 2 UNKNOWN: resource monitor shut down",
      "    error: 2 errors occurred:",
      '    \t* the Kubernetes API server reported that "messaging-smoke/smoke-gate-run-1" failed to fully initialize or become live: Job failed',
      "    \t* timed out",
    ].join("\n");
    expect(pulumiFailure(message).split("\n    ")).toEqual([
      "error: update failed",
      "error: 2 errors occurred:",
      '* the Kubernetes API server reported that "messaging-smoke/smoke-gate-run-1" failed to fully initialize or become live: Job failed',
      "* timed out",
      "error: kubernetes:helm.sh/v4:Chart resource 'smoke-gate' has a problem: grpc: the client connection is closing",
      "error: Error: failed to register new resource smoke-gate [kubernetes:helm.sh/v4:Chart]: 2 UNKNOWN: resource monitor shut down",
    ]);
  });
});
