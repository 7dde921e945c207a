// Everything a suite needs to get a usable target: select, load, validate, check it is reachable.
export {
  describeSource,
  loadSelectedTarget,
  loadTarget,
  localTargetPath,
  parseTargetSelector,
  processIo,
  TargetError,
  type TargetIo,
  type TargetSource,
  targetSelector,
} from "./load";
export {
  assertReachable,
  type Endpoint,
  endpointsOf,
  formatReachability,
  type ProbeResult,
  probeEndpoints,
  tcpConnect,
} from "./reachability";
export type { KafkaTarget, NodeRef, Placement, RabbitMQTarget, Target } from "./types";
export { formatProblems, type TargetProblem, validateTarget } from "./validate";
