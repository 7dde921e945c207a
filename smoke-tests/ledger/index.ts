// The ledger's public surface: clients record, drills check.

export { checkKafka, type KafkaCheckOptions, type KafkaCheckResult } from "./kafka-checks";
export { type Delivery, type KafkaPosition, Ledger, type MessageOutcome, outcomeOf } from "./ledger";
export { formatMessageId, type MessageIdParts, newRunId, parseMessageId } from "./message-id";
export {
  checkTotalQueue,
  type LostMessage,
  type TotalQueueOptions,
  type TotalQueueVerdict,
} from "./total-queue";
