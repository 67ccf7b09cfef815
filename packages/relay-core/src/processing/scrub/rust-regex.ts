import type { Result } from "@org/protocol/result";
/** A pattern from a PII rule that JavaScript cannot run, and why. */
export interface PatternError {
  readonly code: "invalid_pattern";
  readonly message: string;
}

/** A compiled pattern, or why it could not be compiled. */
export type PatternResult = Result<RegExp, PatternError>;

const POSIX: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Drops white space and `#` comments outside character classes, as Rust's `(?x)` does. */
function foldVerbose(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === "\\") {
      out += ch + (source[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
      if (source[i + 1] === "]") {
        out += "]";
        i++;
      }
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (ch === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    out += ch;
  }
  return out;
}

/**
 * Compiles a pattern written for Rust's `regex` crate (the syntax of Sentry's PII rules) into a
 * global JavaScript `RegExp`: leading flag groups (`(?i)`, `(?x)`, `(?s)`, `(?m)`), `(?P<name>…)`,
 * POSIX classes and `\A`/`\z` are translated; what JavaScript cannot express is an error.
 */
export function compileRustPattern(pattern: string, caseInsensitive = false): PatternResult {
  let source = pattern;
  const flags = new Set<string>(["g"]);
  if (caseInsensitive) flags.add("i");
  let verbose = false;
  for (let m = /^\(\?([imsxuU]+)\)/.exec(source); m !== null; m = /^\(\?([imsxuU]+)\)/.exec(source)) {
    for (const flag of m[1]!) {
      if (flag === "x") verbose = true;
      else if (flag === "U") return { ok: false, error: { code: "invalid_pattern", message: "the swap-greed flag (?U) is not supported" } };
      else if (flag !== "u") flags.add(flag);
    }
    source = source.slice(m[0].length);
  }
  if (verbose) source = foldVerbose(source);
  if (/\(\?[imsxuU-]+[:)]/.test(source)) {
    return { ok: false, error: { code: "invalid_pattern", message: "inline flags are only supported at the start of a pattern" } };
  }
  source = source
    .replaceAll("(?P<", "(?<")
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, negate: string, name: string) => (negate === "" && Object.hasOwn(POSIX, name) ? POSIX[name]! : whole))
    .replaceAll("\\A", "^")
    .replaceAll("\\z", "$");
  try {
    return { ok: true, value: new RegExp(source, [...flags].join("")) };
  } catch (error) {
    return { ok: false, error: { code: "invalid_pattern", message: (error as Error).message } };
  }
}
