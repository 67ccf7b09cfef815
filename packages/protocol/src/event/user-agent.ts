import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parse } from "yaml";

/** A browser as ua-parser (the parser Relay uses) names it; unknown browsers are `Other`. */
export interface ParsedUserAgent {
  readonly family: string;
  readonly major: string | undefined;
  readonly minor: string | undefined;
  readonly patch: string | undefined;
}

/** An operating system as ua-parser names it; unknown ones are `Other`. */
export interface ParsedOs {
  readonly family: string;
  readonly major: string | undefined;
  readonly minor: string | undefined;
  readonly patch: string | undefined;
  readonly patchMinor: string | undefined;
}

/** A device as ua-parser names it; unknown ones are `Other` with no brand or model. */
export interface ParsedDevice {
  readonly family: string;
  readonly brand: string | undefined;
  readonly model: string | undefined;
}

type Section = "user_agent_parsers" | "os_parsers" | "device_parsers";

/** One rule of uap-core's `regexes.yaml`: a regex and the replacements of any of the three sections. */
type UapRule = { readonly regex: string; readonly regex_flag?: string } & Readonly<Record<string, string | undefined>>;

interface CompiledRule {
  readonly regex: RegExp;
  readonly rule: UapRule;
}

/** The sections in the order `regexes.yaml` has them. */
const SECTIONS: readonly Section[] = ["user_agent_parsers", "os_parsers", "device_parsers"];

let text: string | undefined;
const compiled = new Map<Section, readonly CompiledRule[]>();

/**
 * The rules of one section of uap-core, the data behind ua-parser, in their order: the first
 * rule whose regex matches decides. The file is large and slow to parse as a whole, so each
 * section is cut out of it and parsed on its first use only.
 */
function rules(section: Section): readonly CompiledRule[] {
  const cached = compiled.get(section);
  if (cached) return cached;
  text ??= readFileSync(createRequire(import.meta.url).resolve("uap-core/regexes.yaml"), "utf8");
  const start = text.indexOf(`${section}:`);
  const next = SECTIONS[SECTIONS.indexOf(section) + 1];
  const end = next === undefined ? -1 : text.indexOf(`\n${next}:`, start);
  const parsed = parse(end === -1 ? text.slice(start) : text.slice(start, end)) as Record<Section, readonly UapRule[]>;
  const list = parsed[section].map((rule) => ({ regex: new RegExp(rule.regex, rule.regex_flag ?? ""), rule }));
  compiled.set(section, list);
  return list;
}

/** The first rule of `section` that matches, with its match. */
function firstMatch(section: Section, userAgent: string): { rule: UapRule; match: RegExpExecArray } | undefined {
  for (const { regex, rule } of rules(section)) {
    const match = regex.exec(userAgent);
    if (match) return { rule, match };
  }
  return undefined;
}

/** A replacement with `$1`..`$9` taken from the match (missing groups become empty), trimmed. */
const substitute = (replacement: string, match: RegExpExecArray): string =>
  replacement.replace(/\$(\d)/g, (_all, index: string) => match[Number(index)] ?? "").trim();

/** A field: the rule's replacement `key` when it has one, else the capture group `group`; empty is none. */
function field({ rule, match }: { rule: UapRule; match: RegExpExecArray }, key: string, group: number | undefined): string | undefined {
  const replacement = rule[key];
  const value = replacement !== undefined ? substitute(replacement, match) : group === undefined ? undefined : match[group];
  return value === undefined || value === "" ? undefined : value;
}

/** Names the browser of a User-Agent header: family and version. */
export function parseUserAgent(userAgent: string): ParsedUserAgent {
  const found = firstMatch("user_agent_parsers", userAgent);
  if (!found) return { family: "Other", major: undefined, minor: undefined, patch: undefined };
  return {
    family: field(found, "family_replacement", 1) ?? "Other",
    major: field(found, "v1_replacement", 2),
    minor: field(found, "v2_replacement", 3),
    patch: field(found, "v3_replacement", 4),
  };
}

/** Names the operating system of a User-Agent header: family and version. */
export function parseOs(userAgent: string): ParsedOs {
  const found = firstMatch("os_parsers", userAgent);
  if (!found) return { family: "Other", major: undefined, minor: undefined, patch: undefined, patchMinor: undefined };
  return {
    family: field(found, "os_replacement", 1) ?? "Other",
    major: field(found, "os_v1_replacement", 2),
    minor: field(found, "os_v2_replacement", 3),
    patch: field(found, "os_v3_replacement", 4),
    patchMinor: field(found, "os_v4_replacement", 5),
  };
}

/** Names the device of a User-Agent header: family, brand and model. */
export function parseDevice(userAgent: string): ParsedDevice {
  const found = firstMatch("device_parsers", userAgent);
  if (!found) return { family: "Other", brand: undefined, model: undefined };
  return {
    family: field(found, "device_replacement", 1) ?? "Other",
    brand: field(found, "brand_replacement", undefined),
    model: field(found, "model_replacement", 1),
  };
}
