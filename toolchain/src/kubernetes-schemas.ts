// Converts the Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json of the k8s.io/kubernetes Go module)
// into the offline layout kubeconform reads: <out>/v<version>-standalone[-strict]/<kind>[-<group>]-<version>.json.
// Each file is self-contained ("standalone"): it carries the definitions it reaches under `definitions` and refers
// to them locally, which also keeps recursive types (JSONSchemaProps) finite. The strict variant closes every
// object that lists properties (additionalProperties: false), as kubectl's validation does.
// Same transformations as kubeconform's openapi2jsonschema: int-or-string, nullable optional fields, kind/apiVersion enums.
//
//   node --import tsx toolchain/src/kubernetes-schemas.ts <swagger.json> <out dir> <kubernetes version>
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkCommandLine, main } from "./command-line";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };
type GroupVersionKind = { group: string; version: string; kind: string };

const refPrefix = "#/definitions/";

/** Kubernetes serialises these two types as either form; swagger v2 can only say "string". */
const specialTypes: Record<string, Schema> = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { oneOf: [{ type: "string" }, { type: "integer" }] },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { oneOf: [{ type: "string" }, { type: "number" }] },
};

function isObject(v: Json | undefined): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Every definition name a schema refers to, directly or through other definitions. */
function reachable(root: Schema, defs: Record<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === "$ref" && typeof x === "string" && x.startsWith(refPrefix)) {
          const name = x.slice(refPrefix.length);
          const def = defs[name];
          if (!seen.has(name) && def !== undefined) {
            seen.add(name);
            walk(def);
          }
        } else walk(x);
      }
    }
  };
  walk(root);
  return seen;
}

/** Applies the openapi2jsonschema rules to one schema node, recursively. */
function transform(v: Json, strict: boolean, parentRequired: Set<string>, key?: string): Json {
  if (Array.isArray(v)) return v.map((x) => transform(x, strict, new Set()));
  if (!isObject(v)) return v;
  if (v.format === "int-or-string") return specialTypes["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] ?? v;
  const out: Schema = {};
  const required = new Set(
    Array.isArray(v.required) ? v.required.filter((r): r is string => typeof r === "string") : [],
  );
  for (const [k, x] of Object.entries(v)) {
    if (k === "properties" && isObject(x)) {
      const props: Schema = {};
      for (const [name, p] of Object.entries(x)) props[name] = transform(p, strict, required, name);
      out[k] = props;
    } else if (k === "type" && typeof x === "string" && key !== undefined && !parentRequired.has(key)) {
      // The API server treats an explicit null on an optional field as "unset".
      out[k] = [x, "null"];
    } else out[k] = transform(x, strict, new Set());
  }
  if (strict && isObject(v.properties) && !("additionalProperties" in v)) out.additionalProperties = false;
  return out;
}

function fileName(gvk: GroupVersionKind): string {
  const group = gvk.group.split(".")[0] ?? "";
  return `${[gvk.kind, group, gvk.version]
    .filter((s) => s !== "")
    .join("-")
    .toLowerCase()}.json`;
}

export function convert(swagger: { definitions: Record<string, Schema> }, outDir: string, k8sVersion: string): number {
  const defs: Record<string, Schema> = { ...swagger.definitions, ...specialTypes };
  let written = 0;
  for (const strict of [false, true]) {
    const dir = join(outDir, `v${k8sVersion}-standalone${strict ? "-strict" : ""}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const def of Object.values(defs)) {
      const gvks = def["x-kubernetes-group-version-kind"];
      if (!Array.isArray(gvks)) continue;
      for (const g of gvks as unknown as GroupVersionKind[]) {
        const root = structuredClone(def);
        const props = root.properties;
        if (isObject(props) && isObject(props.apiVersion) && isObject(props.kind)) {
          props.apiVersion.enum = [g.group === "" ? g.version : `${g.group}/${g.version}`];
          props.kind.enum = [g.kind];
        }
        const definitions: Schema = {};
        for (const r of [...reachable(root, defs)].sort()) {
          definitions[r] = transform(defs[r] as Schema, strict, new Set());
        }
        const schema = { ...(transform(root, strict, new Set()) as Schema), definitions };
        writeFileSync(join(dir, fileName(g)), `${JSON.stringify(schema)}\n`);
        written++;
      }
    }
  }
  return written;
}

if (require.main === module) {
  main(async () => {
    const [swaggerPath, outDir, k8sVersion] = checkCommandLine(process.argv.slice(2), {
      command: "kubernetes-schemas.ts",
      usage: "kubernetes-schemas.ts <swagger.json> <out dir> <kubernetes version>",
      positionals: { min: 3, max: 3, what: "<swagger.json> <out dir> <kubernetes version>" },
    }) as [string, string, string];
    const n = convert(JSON.parse(readFileSync(swaggerPath, "utf8")), outDir, k8sVersion);
    console.log(`wrote ${n} schemas for Kubernetes v${k8sVersion} into ${outDir}`);
    return 0;
  });
}
