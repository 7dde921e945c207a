// The gate's settings for one run: the stack's `gate:` config (or the defaults), narrowed by what the command names.
import { defaultGateSettings, type GateSettings } from "../../contract/gate-settings";
import type { KafkaClientName } from "../../contract/kafka-clients";
import type { SystemName } from "../../contract/systems";

/** What a run may change of the stack's gate settings: the Kafka client, which systems are checked, the workers. */
export interface GateOverrides {
  kafkaClient?: KafkaClientName;
  systems?: SystemName[];
  workers?: number;
}

/** Pure: the stack's settings (already validated) or the defaults, with the overrides given. */
export function gateSettingsFor(stack: GateSettings | undefined, overrides: GateOverrides): GateSettings {
  return {
    ...(stack ?? defaultGateSettings),
    ...(overrides.kafkaClient === undefined ? {} : { kafkaClient: overrides.kafkaClient }),
    ...(overrides.systems === undefined ? {} : { systems: overrides.systems }),
    ...(overrides.workers === undefined ? {} : { workers: overrides.workers }),
  };
}
