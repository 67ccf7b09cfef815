import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parse } from "yaml";

/** A browser as ua-parser (the parser Relay uses) names it: family and major version. */
export interface ParsedUserAgent {
  readonly family: string;
  readonly major: string | undefined;
}

interface CompiledRule {
  readonly regex: RegExp;
  readonly family: string | undefined;
  readonly major: string | undefined;
}

/** A browser rule of uap-core's `regexes.yaml` (`user_agent_parsers`). */
interface UapBrowserRule {
  readonly regex: string;
  readonly regex_flag?: string;
  readonly family_replacement?: string;
  readonly v1_replacement?: string;
}

let compiled: readonly CompiledRule[] | undefined;

/**
 * The browser rules of uap-core, the data behind ua-parser (which Relay uses), in their order: the
 * first rule whose regex matches names the browser. Read once, on first use.
 */
function rules(): readonly CompiledRule[] {
  if (compiled) return compiled;
  const text = readFileSync(createRequire(import.meta.url).resolve("uap-core/regexes.yaml"), "utf8");
  // The browser rules come first; the OS and device rules after them (four fifths of the file) are not needed.
  const end = text.indexOf("\nos_parsers:");
  const { user_agent_parsers: parsers } = parse(end === -1 ? text : text.slice(0, end)) as { user_agent_parsers: readonly UapBrowserRule[] };
  compiled = parsers.map((rule) => ({ regex: new RegExp(rule.regex, rule.regex_flag ?? ""), family: rule.family_replacement, major: rule.v1_replacement }));
  return compiled;
}

/** A replacement with `$1`..`$9` taken from the match (missing groups become empty). */
const substitute = (replacement: string, match: RegExpExecArray): string =>
  replacement.replace(/\$(\d)/g, (_all, index: string) => match[Number(index)] ?? "").trim();

/** Names the browser of a User-Agent header; unknown browsers are `Other` with no version. */
export function parseUserAgent(userAgent: string): ParsedUserAgent {
  for (const rule of rules()) {
    const match = rule.regex.exec(userAgent);
    if (!match) continue;
    const family = rule.family !== undefined ? substitute(rule.family, match) : (match[1] ?? "Other");
    const major = rule.major !== undefined ? substitute(rule.major, match) : match[2];
    return { family: family === "" ? "Other" : family, major: major === "" ? undefined : major };
  }
  return { family: "Other", major: undefined };
}
