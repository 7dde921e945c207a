// What a failed Pulumi command says, condensed to the lines a person acts on. Shared by every Automation API
// command (deploy, render).

/** The lines of a failed Pulumi command that say why (config problems, policy violations, resource errors). */
export function pulumiFailure(message: string): string {
  const lines = message.split("\n").map((l) => l.trimEnd());
  const useful = lines.filter((l) =>
    /^\s*(error:|- |\[mandatory\]|mandatory|\w[\w-]*:\s+\[mandatory\]|.*policy violation)/i.test(l),
  );
  const picked = (useful.length > 0 ? useful : lines.filter((l) => l.trim() !== "").slice(-10)).map((l) => l.trim());
  return [...new Set(picked)].slice(0, 20).join("\n    ");
}
