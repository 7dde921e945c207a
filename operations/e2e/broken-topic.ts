// The broken-topic stack: the stack's own config with its first Kafka topic declared `minInsyncReplicas: 1`. In the
// stack's environment (staging) the config check refuses it before anything is created or changed; as
// `development`, which allows it, the topic is declared and the in-cluster gate's "durability settings" check fails
// `pulumi up`. Pure: e2e writes the text to a temporary file for `pulumi up --config-file`.
import { isMap, isSeq, parseDocument } from "yaml";
import { pulumiProject as project } from "../../contract/pulumi-project";

export function brokenTopicConfig(configText: string, environment?: "development"): string {
  const doc = parseDocument(configText);
  const topics = doc.getIn(["config", `${project}:kafka`, "topics"]);
  const first = isSeq(topics) ? topics.items[0] : undefined;
  if (!isMap(first)) throw new Error(`the stack config declares no ${project}:kafka topics to break`);
  first.set("minInsyncReplicas", 1);
  if (environment) doc.setIn(["config", `${project}:environment`], environment);
  return doc.toString();
}
