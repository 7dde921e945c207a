// Converts CustomResourceDefinitions (prometheus-operator's PodMonitor, ServiceMonitor, PrometheusRule) into strict JSON
// schemas kubeconform reads offline: <out>/<kind>-<first label of the group>-<version>.json, one per served version.
// Strict like the Kubernetes schemas (toolchain/src/kubernetes-schemas.ts): every object that lists its properties is
// closed (additionalProperties: false) unless the CRD keeps unknown fields there, as the API server prunes them.
// The OpenAPI v3 extensions become plain JSON schema: x-kubernetes-int-or-string is a string or an integer, nullable
// adds "null" to the type.
//
//   node --import tsx toolchain/src/crd-schemas.ts <out dir> <crd.yaml>...
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { checkCommandLine, main } from "./command-line";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

const isObject = (v: Json | undefined): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** Pure: one openAPIV3Schema node as strict JSON schema, recursively. */
export function strictSchema(v: Json): Json {
  if (Array.isArray(v)) return v.map(strictSchema);
  if (!isObject(v)) return v;
  const out: Schema = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "properties" && isObject(x)) {
      out[k] = Object.fromEntries(Object.entries(x).map(([name, p]) => [name, strictSchema(p)]));
    } else if (k === "x-kubernetes-int-or-string" || k === "nullable") {
      // handled below
    } else out[k] = strictSchema(x);
  }
  if (v["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.oneOf = [{ type: "string" }, { type: "integer" }];
  }
  if (v.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  const open = v["x-kubernetes-preserve-unknown-fields"] === true || "additionalProperties" in v;
  if (isObject(v.properties) && !open) out.additionalProperties = false;
  return out;
}

export interface CrdSchema {
  file: string;
  schema: Schema;
}

/** Pure: the schemas of one CRD document, one per served version, with apiVersion and kind pinned. */
export function crdSchemas(crd: Schema): CrdSchema[] {
  const spec = crd.spec;
  if (crd.kind !== "CustomResourceDefinition" || !isObject(spec) || !isObject(spec.names)) {
    throw new Error(`not a CustomResourceDefinition: ${JSON.stringify(crd.kind)}`);
  }
  const group = String(spec.group);
  const kind = String(spec.names.kind);
  const out: CrdSchema[] = [];
  for (const version of Array.isArray(spec.versions) ? spec.versions : []) {
    if (!isObject(version) || version.served !== true || !isObject(version.schema)) continue;
    const root = version.schema.openAPIV3Schema;
    if (!isObject(root)) throw new Error(`${kind} ${String(version.name)}: no openAPIV3Schema`);
    const schema = strictSchema(root) as Schema;
    if (isObject(schema.properties)) {
      schema.properties.apiVersion = { type: "string", enum: [`${group}/${String(version.name)}`] };
      schema.properties.kind = { type: "string", enum: [kind] };
    }
    const file = `${[kind, group.split(".")[0], String(version.name)].join("-").toLowerCase()}.json`;
    out.push({ file, schema });
  }
  if (out.length === 0) throw new Error(`${kind}: no served version with a schema`);
  return out;
}

if (require.main === module) {
  main(async () => {
    const [outDir, ...crds] = checkCommandLine(process.argv.slice(2), {
      command: "crd-schemas.ts",
      usage: "crd-schemas.ts <out dir> <crd.yaml>...",
      positionals: { min: 2, max: 100, what: "<out dir> <crd.yaml>..." },
    }) as [string, ...string[]];
    mkdirSync(outDir, { recursive: true });
    let n = 0;
    for (const path of crds) {
      for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
        const crd = doc.toJS() as Schema | null;
        if (crd === null) continue;
        for (const { file, schema } of crdSchemas(crd)) {
          writeFileSync(join(outDir, file), `${JSON.stringify(schema)}\n`);
          n++;
        }
      }
    }
    console.log(`wrote ${n} schemas into ${outDir}`);
    return 0;
  });
}
