// Reads a Dockerfile into instructions, for the Docker-free image builder (build.ts). Only what a Dockerfile of this
// project uses: comments, `\` continuations, exec (JSON) and shell forms. Pure: tested on its own.

export interface Instruction {
  /** Upper-cased keyword: FROM, WORKDIR, COPY, RUN, USER, ENV, ENTRYPOINT, CMD… */
  op: string;
  /** Arguments: the JSON array of the exec form, or the shell form split on whitespace (RUN keeps one string). */
  args: string[];
  /** 1-based line where the instruction starts, for error messages. */
  line: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = (lines[i] ?? "").trim();
    if (logical === "" || logical.startsWith("#")) continue;
    while (logical.endsWith("\\") && i + 1 < lines.length) {
      i++;
      const next = (lines[i] ?? "").trim();
      if (next.startsWith("#")) continue;
      logical = `${logical.slice(0, -1).trimEnd()} ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/.exec(logical);
    if (!m?.[1]) continue;
    const op = m[1].toUpperCase();
    const rest = (m[2] ?? "").trim();
    out.push({ op, args: argumentsOf(op, rest, start + 1), line: start + 1 });
  }
  return out;
}

function argumentsOf(op: string, rest: string, line: number): string[] {
  if (rest.startsWith("[")) {
    try {
      const parsed = JSON.parse(rest) as unknown;
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed;
    } catch {
      // fall through to the error below
    }
    throw new Error(`Dockerfile line ${line}: ${op} ${rest} is not a JSON array of strings`);
  }
  if (op === "RUN") return [rest];
  return rest.split(/\s+/).filter(Boolean);
}

/** ENV k=v k2="v 2" (the forms this project writes) into pairs. */
export function envPairs(args: string[]): Array<[string, string]> {
  return args.map((a) => {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new Error(`ENV ${a}: use the key=value form`);
    return [a.slice(0, eq), a.slice(eq + 1).replace(/^"(.*)"$/, "$1")];
  });
}
