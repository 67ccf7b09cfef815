/** A capture's level (`error`, `warning`, `info`…) as a coloured badge. */
export function LevelBadge({ level }: { level: string | undefined }) {
  const name = level ?? "none";
  return <span class={`level level-${name.replace(/[^a-z_]/gi, "")}`}>{level ?? "—"}</span>;
}
