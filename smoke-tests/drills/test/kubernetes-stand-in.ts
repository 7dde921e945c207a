// The part of a Kubernetes fault injector a scenario's test does not use: every required method refuses, naming the
// scenario, so a scenario that reaches for one fails its test instead of passing on a stub.
import type { FaultInjector } from "../../faults/types";

export function unusedKubernetesFaults(scenario: string): FaultInjector {
  const unused = () => Promise.reject(new Error(`not used by ${scenario}`));
  return {
    kind: "kubernetes",
    kill: unused,
    restore: unused,
    isolate: unused,
    heal: unused,
    rollingRestart: unused,
    activeKafkaController: unused,
    healAll: async () => undefined,
  };
}
