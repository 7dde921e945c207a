// The rolling update as users cause it: a broker setting changed in stack config, then `pulumi up`. The change goes
// into a copy of Pulumi.<stack>.yaml (pulumi --config-file), so the stack's own file is never edited: `restore()` is
// a plain `pulumi up` from that file, which rolls the brokers back. Both ups run through the Automation API with the
// policy pack, exactly as `npm run deploy` does, the in-cluster gate included.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { parseDocument } from "yaml";
import { deepMerge, isMapping, pick, readValuesFile, type Values } from "../../chart-values/values";
import { pulumiProject as project } from "../../contract/pulumi-project";
import type { SystemName } from "../../contract/systems";
import { pulumiFailure } from "../../infra/pulumi-failure";
import type { SettingChange, StackChanger } from "../../smoke-tests/faults/types";
import { withPrivateFile } from "../../toolchain/src/secrets";
import { failedGateReport } from "../deploy/in-cluster";
import { describeChanges } from "../deploy/summary";

/**
 * The broker setting the drill flips, one per system: harmless to flip both ways under load, and part of the chart's
 * broker config, so a change rolls the StatefulSet (its pod template carries the config's checksum).
 */
export const rollSettings: Record<SystemName, { key: string; values: readonly [number, number] }> = {
  // server.properties: I/O threads per broker (Kafka's default 8).
  kafka: { key: "num.io.threads", values: [8, 9] },
  // rabbitmq.conf: how often the management plugin samples statistics, in ms (RabbitMQ's default 5000).
  rabbitmq: { key: "collect_statistics_interval", values: [5000, 10000] },
};

export type { SettingChange };

/**
 * Pure: which value to set, from the stack's config (its `<system>` object) and the chart values it builds on
 * (values.yaml and its valuesFile, merged). The other of the two values than the one in effect.
 */
export function plannedChange(system: SystemName, stackSystem: Values, chartValues: Values): SettingChange {
  const { key, values } = rollSettings[system];
  const fromValues = pick(chartValues, ["config", key]);
  const override = isMapping(stackSystem.config) ? stackSystem.config[key] : undefined;
  const from = override ?? fromValues ?? values[0];
  const to = Number(from) === values[0] ? values[1] : values[0];
  return { system, key, from, to, dropOverride: fromValues !== undefined && Number(fromValues) === to };
}

/** Pure: the stack config file's text with the change applied; comments, secrets and encryptionsalt kept as they are. */
export function withSettingChanged(configText: string, change: SettingChange): string {
  const doc = parseDocument(configText);
  const path = ["config", `${project}:${change.system}`, "config", change.key];
  if (change.dropOverride) doc.deleteIn(path);
  else doc.setIn(path, change.to);
  return doc.toString();
}

/**
 * Runs `body` with `text` as a stack config file (0600, in a private temporary directory, removed after): what
 * `pulumi --config-file` takes instead of Pulumi.<stack>.yaml, so the stack's own file is never edited.
 */
export function withConfigCopy<T>(stack: string, text: string, body: (file: string) => Promise<T>): Promise<T> {
  return withPrivateFile(`Pulumi.${stack}.yaml`, text, body);
}

export interface StackUpdateOptions {
  stack: string;
  repoRoot: string;
  /** Pulumi's own progress lines. */
  onOutput?: (text: string) => void;
}

export class StackUpdate implements StackChanger {
  constructor(private readonly o: StackUpdateOptions) {}

  get stack(): string {
    return this.o.stack;
  }

  private configFile(): string {
    return join(this.o.repoRoot, `Pulumi.${this.o.stack}.yaml`);
  }

  /** What `change(system)` would do, read from the stack's file and the chart values it names. */
  plan(system: SystemName): SettingChange {
    const doc = parseDocument(readFileSync(this.configFile(), "utf8")).toJS() as Values;
    const stackSystem = pick(doc, ["config", `${project}:${system}`]);
    const own = isMapping(stackSystem) ? stackSystem : {};
    const valuesFile = typeof own.valuesFile === "string" ? own.valuesFile : undefined;
    const chart = readValuesFile(join(this.o.repoRoot, "charts", system, "values.yaml"));
    const values = valuesFile ? deepMerge(chart, readValuesFile(join(this.o.repoRoot, valuesFile))) : chart;
    return plannedChange(system, own, values);
  }

  /** `pulumi up` with the setting changed in a copy of the stack's config. Returns what Pulumi changed. */
  change(change: SettingChange): Promise<string> {
    const text = withSettingChanged(readFileSync(this.configFile(), "utf8"), change);
    return withConfigCopy(this.o.stack, text, (file) => this.up(file));
  }

  /** `pulumi up` from the stack's own file: undoes `change`. */
  restore(): Promise<string> {
    return this.up(this.configFile());
  }

  private async up(configFile: string): Promise<string> {
    const s = await LocalWorkspace.selectStack({ stackName: this.o.stack, workDir: this.o.repoRoot });
    const u = await s
      .up({ configFile, policyPacks: [join(this.o.repoRoot, "infra", "policy")], onOutput: this.o.onOutput })
      .catch(async (e: Error) => {
        const gate = await failedGateReport(s).catch(() => undefined);
        throw new Error(`pulumi up failed:\n    ${pulumiFailure(e.message)}${gate ? `\n${gate}` : ""}`);
      });
    return describeChanges(u.summary.resourceChanges as Record<string, number> | undefined, "done");
  }
}
