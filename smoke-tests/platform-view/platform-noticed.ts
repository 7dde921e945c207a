// The verdict line "the platform noticed": the alerts a drill's fault should raise (one table, by scenario and system,
// with the rule names of charts/kafka/files/alerts.yaml and charts/rabbitmq/files/alerts.yaml) fired after the fault
// landed and within their `for` window plus the time a scrape and an evaluation take, and resolved after the heal.
// Pure: tested on canned episodes.
import type { SystemName } from "../../contract/systems";
import type { VerdictLine } from "../reports/run-report";
import type { AlertEpisode } from "./alert-episodes";

/**
 * What each fault must raise. A node held down or cut off stops answering the scrape (…NodeDown); on Kafka the
 * partitions it followed lose it from their ISR (KafkaUnderReplicatedPartitions, on the brokers leading them).
 * Scenarios not named (rolling restarts and updates: graceful, each node back within seconds; kill-lone-leader;
 * node-drain: planned maintenance is no incident; restart-all: on the cluster on 2026-12-07 no alert fired, every
 * broker back within a rule's `for`, so what it should raise is still open) promise no alert: they get no line.
 */
export const expectedAlerts: Readonly<Record<string, Partial<Record<SystemName, readonly string[]>>>> = {
  "kill-leader": {
    kafka: ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"],
    rabbitmq: ["RabbitMQNodeDown"],
  },
  // The cluster stack's Kafka nodes are brokers and controllers in one: the controller's node follows partitions too.
  "kill-controller": { kafka: ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"] },
  "kill-random": { kafka: ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"], rabbitmq: ["RabbitMQNodeDown"] },
  "isolate-node": {
    kafka: ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"],
    rabbitmq: ["RabbitMQNodeDown"],
  },
  // Held 90 s, past every `for`: the frozen node answers no scrape.
  "node-freeze": {
    kafka: ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"],
    rabbitmq: ["RabbitMQNodeDown"],
  },
};

/** The alerts `scenario` must raise on `system`; undefined when it promises none (no verdict line). */
export function expectedAlertsFor(scenario: string, system: SystemName): readonly string[] | undefined {
  return expectedAlerts[scenario]?.[system];
}

/**
 * Beyond a rule's `for`: up to one scrape interval until the fault shows in a sample, one evaluation interval until
 * the rule sees it, and one query step until the range query does (15 s + 15 s + 5 s, charts/prometheus values), with
 * 10 s to spare.
 */
export const alertSlackMs = 45_000;

export interface NoticedInput {
  expected: readonly string[];
  episodes: AlertEpisode[];
  /** ms since the drill's start: the first fault's landing, and the last heal. */
  landedAtMs: number;
  healedAtMs: number | undefined;
  /** Each rule's `for` window, seconds, as the running Prometheus has it (/api/v1/rules). */
  forSeconds: Readonly<Record<string, number>>;
  slackMs?: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Pure: the line "the platform noticed" for one drilled system. */
export function platformNoticed(input: NoticedInput): VerdictLine {
  const slack = input.slackMs ?? alertSlackMs;
  const judged = input.expected.map((name) => judgeAlert(name, input, slack));
  return {
    name: "the platform noticed",
    passed: judged.every((j) => j.ok),
    detail: judged.map((j) => j.text).join("; "),
  };
}

function judgeAlert(name: string, input: NoticedInput, slackMs: number): { ok: boolean; text: string } {
  const forMs = input.forSeconds[name];
  if (forMs === undefined) return { ok: false, text: `${name}: no such alerting rule in this Prometheus` };
  const latest = input.landedAtMs + forMs * 1000 + slackMs;
  const mine = input.episodes.filter((e) => e.alertname === name);
  const inWindow = mine.filter((e) => e.firedAtMs >= input.landedAtMs && e.firedAtMs <= latest);
  const window = `landed ${s(input.landedAtMs)}, for ${forMs} s + ${s(slackMs)} slack: by ${s(latest)}`;
  const fired = inWindow[0];
  if (!fired) {
    const other = mine.map((e) => `fired ${s(e.firedAtMs)}`).join(", ");
    return { ok: false, text: `${name} did not fire in its window (${window})${other ? `; it ${other}` : ""}` };
  }
  const firedText = `${name} fired ${s(fired.firedAtMs)} (${window})`;
  if (input.healedAtMs === undefined) return { ok: false, text: `${firedText}, but no heal is on the timeline` };
  const resolved = inWindow.find((e) => e.resolvedAtMs !== null && e.resolvedAtMs >= (input.healedAtMs as number));
  if (!resolved) {
    const still = inWindow.some((e) => e.resolvedAtMs === null);
    return {
      ok: false,
      text: `${firedText}, ${still ? "still firing at the end" : "resolved before the heal"} (healed ${s(input.healedAtMs)})`,
    };
  }
  return {
    ok: true,
    text: `${firedText}, resolved ${s(resolved.resolvedAtMs as number)} after the heal at ${s(input.healedAtMs)}`,
  };
}
