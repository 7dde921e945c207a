// What a failed Pulumi command says, condensed to the lines a person acts on. Shared by every Automation API
// command (deploy, render).

/** The lines of a failed Pulumi command that say why (config problems, policy violations, resource errors). */
export function pulumiFailure(message: string): string {
  const lines = message.split("\n").map((l) => l.trimEnd());
  const useful = lines.filter((l) =>
    /^\s*(error:|- |\* |\[mandatory\]|mandatory|\w[\w-]*:\s+\[mandatory\]|.*policy violation)/i.test(l),
  );
  const picked = (useful.length > 0 ? useful : lines.filter((l) => l.trim() !== "").slice(-10)).map((l) => l.trim());
  // When one resource fails, the engine shuts down and every registration still in flight fails after it: those
  // lines come first in the output but say nothing, so the cause goes before them.
  const echo = (l: string) => /resource monitor shut down|client connection is closing/.test(l);
  const ordered = [...picked.filter((l) => !echo(l)), ...picked.filter(echo)];
  return [...new Set(ordered)].slice(0, 20).join("\n    ");
}
