// Recovery times from a drill's timeline: writes, consumers, cluster.
export {
  clusterRecovery,
  consumerRecovery,
  defaultRecoveryOptions,
  type FaultRecovery,
  measureRecoveries,
  type RecoveryMeasure,
  type RecoveryOptions,
  type RecoveryStatus,
  writeRecovery,
} from "./recovery";
