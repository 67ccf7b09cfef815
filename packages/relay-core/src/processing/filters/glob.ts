/**
 * Glob patterns as Sentry's inbound filters read them (error messages, releases, transaction
 * names): `*` is any run of characters (newlines and slashes included), `?` one character,
 * `[abc]`, `[a-z]` and `[!abc]` a class, `{a,b}` alternatives, `\x` the character `x` itself.
 * Matching ignores case and covers the whole text; the empty text matches nothing.
 */

const SYNTAX = /[.*+?^${}()|[\]\\/]/g;
const CLASS_SYNTAX = /[\]\\^[-]/g;
const escapeChar = (char: string): string => char.replace(SYNTAX, "\\$&");
const escapeClassChar = (char: string): string => char.replace(CLASS_SYNTAX, "\\$&");

/** Compiles one glob to a regular expression source, or `undefined` for a malformed glob. */
function translate(pattern: string): string | undefined {
  let out = "";
  let depth = 0;
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === "\\") {
      const next = chars[i + 1];
      if (next === undefined) return undefined;
      out += escapeChar(next);
      i++;
    } else if (char === "*") {
      out += "[\\s\\S]*";
    } else if (char === "?") {
      out += "[\\s\\S]";
    } else if (char === "[") {
      let j = i + 1;
      let negate = false;
      if (chars[j] === "!" || chars[j] === "^") {
        negate = true;
        j++;
      }
      let body = "";
      let first = true;
      while (j < chars.length && (chars[j] !== "]" || first)) {
        const member = chars[j]!;
        if (member === "\\" && j + 1 < chars.length) {
          body += escapeClassChar(chars[j + 1]!);
          j += 2;
        } else if (member === "-" && !first && j + 1 < chars.length && chars[j + 1] !== "]") {
          body += "-";
          j++;
        } else {
          body += escapeClassChar(member);
          j++;
        }
        first = false;
      }
      if (j >= chars.length) return undefined;
      out += `[${negate ? "^" : ""}${body}]`;
      i = j;
    } else if (char === "{") {
      depth++;
      out += "(?:";
    } else if (char === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (char === "," && depth > 0) {
      out += "|";
    } else {
      out += escapeChar(char);
    }
  }
  return depth === 0 ? out : undefined;
}

const cache = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  let regex = cache.get(pattern);
  if (regex === undefined) {
    const source = translate(pattern);
    try {
      regex = source === undefined ? null : new RegExp(`^(?:${source})$`, "iu");
    } catch {
      regex = null;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, regex);
  }
  return regex;
}

/** Whether `text` matches the glob `pattern` (case-insensitively, as a whole). */
export function globMatches(pattern: string, text: string): boolean {
  if (text === "") return false;
  return compile(pattern)?.test(text) ?? false;
}

/** Whether `text` matches any of the globs; malformed globs match nothing. */
export function anyGlobMatches(patterns: readonly unknown[], text: string): boolean {
  if (text === "") return false;
  return patterns.some((pattern) => typeof pattern === "string" && globMatches(pattern, text));
}
