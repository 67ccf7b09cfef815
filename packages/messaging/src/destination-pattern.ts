function matchSegment(name: string, pattern: string): boolean {
  if (name === pattern || pattern === "*") return true;
  const star = pattern.indexOf("*");
  if (star === -1) return false;
  // Only the first `*` is a wildcard; prefix and suffix are checked independently (`a*a` matches `a`).
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return name.startsWith(prefix) && name.endsWith(suffix);
}

/**
 * Whether a node's dotted destination `name` matches a message's `pattern`, by the original's
 * rules: `*` in a segment, `**` as the last segment for one or more remaining segments, case
 * sensitive; a name containing `*` never matches.
 */
export function matchDestination(name: string, pattern: string): boolean {
  if (name.includes("*")) return false;
  const names = name.split(".");
  const patterns = pattern.split(".");
  if (names.length < patterns.length) return false;
  for (let i = 0; i < patterns.length; i++) {
    const segment = patterns[i]!;
    if (segment === "**") return i === patterns.length - 1;
    if (!matchSegment(names[i]!, segment)) return false;
  }
  return names.length === patterns.length;
}
