import { UA_PARSER_RULES } from "./ua-parser-rules.js";

/** A browser as ua-parser (the parser Relay uses) names it: family and major version. */
export interface ParsedUserAgent {
  readonly family: string;
  readonly major: string | undefined;
}

interface CompiledRule {
  readonly regex: RegExp;
  readonly family: string | null | undefined;
  readonly major: string | undefined;
}

let compiled: readonly CompiledRule[] | undefined;

function rules(): readonly CompiledRule[] {
  compiled ??= UA_PARSER_RULES.map(([regex, flags, family, major]) => ({ regex: new RegExp(regex, flags ?? ""), family, major }));
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
    const family = rule.family != null ? substitute(rule.family, match) : (match[1] ?? "Other");
    const major = rule.major !== undefined ? substitute(rule.major, match) : match[2];
    return { family: family === "" ? "Other" : family, major: major === "" ? undefined : major };
  }
  return { family: "Other", major: undefined };
}
