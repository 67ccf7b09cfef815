import type { Result } from "@org/protocol/result";
import { BUILTIN_RULES } from "./builtin-rules.js";
import {
  ANYTHING_REGEX,
  BEARER_TOKEN_REGEX,
  CREDITCARD_REGEX,
  EMAIL_REGEX,
  IBAN_REGEX,
  IMEI_REGEX,
  IPV4_REGEX,
  IPV6_REGEX,
  MAC_REGEX,
  PASSWORD_KEY_REGEX,
  PATH_REGEX,
  PEM_KEY_REGEX,
  TOKEN_KEY_REGEX,
  UUID_REGEX,
  URL_AUTH_REGEX,
  US_SSN_REGEX,
} from "./pii-regexes.js";
import type { BuiltinRuleType, Redaction, RuleSpec, RuleType } from "./pii-rule.js";
import { DEFAULT_REPLACE_TEXT } from "./pii-rule.js";
import type { ReplaceBehavior } from "./redaction.js";
import { compileRustPattern } from "./rust-regex.js";
import { compareSelectors, compileSelectorMatcher, parseSelector, type Selector, type SelectorMatcher } from "./selector.js";

/** A rule or application of a PII config that cannot be used; the rest of the config still applies. */
export interface PiiConfigProblem {
  /** The rule id, or the selector of an application. */
  readonly rule: string;
  readonly message: string;
}

/** How one regex of a rule is matched: on the value, on the key only, or on the key and then the value. */
export type MatcherKind = "value" | "key" | "keyvalue";

/** One regex of a compiled rule. */
export interface Matcher {
  readonly kind: MatcherKind;
  readonly regex: RegExp;
  readonly behavior: ReplaceBehavior;
  /** A quick test every match needs to pass, to skip the regex on text it cannot match. */
  readonly mustContain?: RegExp;
}

/** A leaf rule ready to run: its id, the id remarks name (`origin`), its regexes and redaction. */
export interface CompiledRule {
  readonly id: string;
  readonly origin: string;
  readonly redaction: Redaction;
  /** `anything` rules remove containers and non-string values whole. */
  readonly anything: boolean;
  readonly matchers: readonly Matcher[];
}

/** A selector with the rules it applies, sorted by rule id. */
export interface CompiledApplication {
  readonly selector: Selector;
  /** The selector compiled for matching. */
  readonly matches: SelectorMatcher;
  readonly rules: readonly CompiledRule[];
}

/** A PII config compiled once: applications in Relay's order, and what could not be used. */
export interface CompiledPiiConfig {
  readonly applications: readonly CompiledApplication[];
  readonly problems: readonly PiiConfigProblem[];
}

const BUILTIN_TYPES = new Set<string>(["anything", "imei", "mac", "uuid", "email", "ip", "creditcard", "iban", "userpath", "pemkey", "urlauth", "usssn", "password", "bearer"]);
const ZERO: ReplaceBehavior = [0];
const ONE: ReplaceBehavior = [1];

type ParsedRule = Result<RuleSpec, string>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseRedaction(value: unknown): { redaction: Redaction; problem?: string } {
  if (value === undefined || value === null) return { redaction: { method: "default" } };
  if (!isRecord(value)) return { redaction: { method: "default" }, problem: "redaction is not an object" };
  switch (value.method) {
    case "default":
    case "remove":
    case "mask":
    case "hash":
      return { redaction: { method: value.method } };
    case "replace":
      return { redaction: { method: "replace", text: typeof value.text === "string" ? value.text : DEFAULT_REPLACE_TEXT } };
    default:
      return { redaction: { method: "remove" }, problem: `unknown redaction method ${JSON.stringify(value.method)}, removing instead` };
  }
}

function parseRuleSpec(value: unknown, options: CompileOptions): ParsedRule & { warning?: string } {
  if (!isRecord(value)) return { ok: false, error: "rule is not an object" };
  const { redaction, problem } = parseRedaction(value.redaction);
  const withWarning = (spec: RuleSpec): ParsedRule & { warning?: string } => (problem === undefined ? { ok: true, value: spec } : { ok: true, value: spec, warning: problem });
  const type = value.type;
  if (typeof type !== "string") return { ok: false, error: "rule has no type" };
  let ty: RuleType;
  if (BUILTIN_TYPES.has(type)) ty = { type: type as BuiltinRuleType };
  else if (type === "pattern") {
    if (typeof value.pattern !== "string") return { ok: false, error: "pattern rule without a pattern" };
    const compiled = compileRustPattern(value.pattern);
    if (!compiled.ok) return { ok: false, error: `invalid pattern: ${compiled.error.message}` };
    const groups = value.replaceGroups;
    const replaceGroups = Array.isArray(groups) && groups.every((g) => Number.isInteger(g) && (g as number) >= 0) ? (groups as number[]) : undefined;
    ty = { type: "pattern", pattern: compiled.value, replaceGroups };
  } else if (type === "redact_pair") {
    if (typeof value.keyPattern !== "string") return { ok: false, error: "redact_pair rule without a keyPattern" };
    const compiled = compileRustPattern(value.keyPattern, options.caseInsensitiveKeys === true);
    if (!compiled.ok) return { ok: false, error: `invalid keyPattern: ${compiled.error.message}` };
    ty = { type: "redact_pair", keyPattern: compiled.value };
  } else if (type === "multiple") {
    if (!Array.isArray(value.rules) || !value.rules.every((r) => typeof r === "string")) return { ok: false, error: "multiple rule without a list of rules" };
    ty = { type: "multiple", rules: value.rules, hideInner: value.hideInner === true };
  } else if (type === "alias") {
    if (typeof value.rule !== "string") return { ok: false, error: "alias rule without a rule" };
    ty = { type: "alias", rule: value.rule, hideInner: value.hideInner === true };
  } else return { ok: false, error: `unknown rule type ${JSON.stringify(type)}` };
  return withWarning({ ty, redaction });
}

/** The regexes Relay runs for a rule type, in its order. */
function matchersFor(ty: RuleType): Matcher[] {
  switch (ty.type) {
    case "redact_pair":
      return [{ kind: "keyvalue", regex: ty.keyPattern, behavior: "value" }];
    case "bearer":
      return [{ kind: "value", regex: BEARER_TOKEN_REGEX, behavior: ZERO, mustContain: /bearer/i }];
    case "password":
      return [
        { kind: "value", regex: BEARER_TOKEN_REGEX, behavior: ZERO, mustContain: /bearer/i },
        { kind: "key", regex: TOKEN_KEY_REGEX, behavior: "value" },
        { kind: "keyvalue", regex: PASSWORD_KEY_REGEX, behavior: "value" },
      ];
    case "anything":
      return [{ kind: "value", regex: ANYTHING_REGEX, behavior: ZERO }];
    case "pattern":
      return [{ kind: "value", regex: ty.pattern, behavior: ty.replaceGroups ?? ZERO }];
    case "imei":
      return [{ kind: "value", regex: IMEI_REGEX, behavior: ZERO, mustContain: /\d{6}/ }];
    case "mac":
      return [{ kind: "value", regex: MAC_REGEX, behavior: ZERO, mustContain: /[:-]/ }];
    case "uuid":
      return [{ kind: "value", regex: UUID_REGEX, behavior: ZERO, mustContain: /[a-z0-9]{4}/i }];
    case "email":
      return [{ kind: "value", regex: EMAIL_REGEX, behavior: ZERO, mustContain: /@/ }];
    case "iban":
      return [{ kind: "value", regex: IBAN_REGEX, behavior: ZERO, mustContain: /[A-Z]{2}\d\d/ }];
    case "ip":
      return [
        { kind: "value", regex: IPV4_REGEX, behavior: ZERO, mustContain: /\d\.\d/ },
        { kind: "value", regex: IPV6_REGEX, behavior: ONE, mustContain: /:/ },
      ];
    case "creditcard":
      return [{ kind: "value", regex: CREDITCARD_REGEX, behavior: ZERO, mustContain: /\d{4}/ }];
    case "pemkey":
      return [{ kind: "value", regex: PEM_KEY_REGEX, behavior: ONE, mustContain: /-----BEGIN/ }];
    case "urlauth":
      return [{ kind: "value", regex: URL_AUTH_REGEX, behavior: ONE, mustContain: /@/ }];
    case "usssn":
      return [{ kind: "value", regex: US_SSN_REGEX, behavior: ZERO, mustContain: /\d-\d/ }];
    case "userpath":
      return [{ kind: "value", regex: PATH_REGEX, behavior: ONE, mustContain: /[\\/]/ }];
    case "multiple":
    case "alias":
      return [];
  }
}

interface Resolved {
  readonly spec: RuleSpec;
}

/** Options of {@link compilePiiConfig}. */
export interface CompileOptions {
  /** Match `redact_pair` key patterns without regard to case, as Relay does for the sensitive fields it converts. */
  readonly caseInsensitiveKeys?: boolean;
}

/**
 * Compiles a project's `piiConfig` (Relay's JSON shape: `rules`, `applications`) once. A rule or
 * selector that cannot be used is left out and reported in `problems`; the others still apply.
 */
export function compilePiiConfig(config: unknown, options: CompileOptions = {}): CompiledPiiConfig {
  const problems: PiiConfigProblem[] = [];
  if (config === undefined || config === null) return { applications: [], problems };
  if (!isRecord(config)) return { applications: [], problems: [{ rule: "(config)", message: "piiConfig is not an object" }] };
  const custom = new Map<string, Resolved | undefined>();
  if (config.rules !== undefined && !isRecord(config.rules)) problems.push({ rule: "(rules)", message: "rules is not an object" });
  const rules = isRecord(config.rules) ? config.rules : {};
  for (const [id, raw] of Object.entries(rules)) {
    const parsed = parseRuleSpec(raw, options);
    if (parsed.ok) {
      custom.set(id, { spec: parsed.value });
      if (parsed.warning !== undefined) problems.push({ rule: id, message: parsed.warning });
    } else {
      // A broken custom rule shadows nothing: it is reported and skipped.
      custom.set(id, undefined);
      problems.push({ rule: id, message: parsed.error });
    }
  }
  const lookup = (id: string): RuleSpec | undefined | null => {
    if (custom.has(id)) return custom.get(id)?.spec ?? null;
    return BUILTIN_RULES.get(id);
  };
  const applications: CompiledApplication[] = [];
  const applicationsRaw = isRecord(config.applications) ? config.applications : {};
  if (config.applications !== undefined && !isRecord(config.applications)) problems.push({ rule: "(applications)", message: "applications is not an object" });
  const reported = new Set<string>();
  for (const [selectorText, ids] of Object.entries(applicationsRaw)) {
    const selector = parseSelector(selectorText);
    if (!selector.ok) {
      problems.push({ rule: selectorText, message: selector.error.message });
      continue;
    }
    if (!Array.isArray(ids)) {
      problems.push({ rule: selectorText, message: "the rules of an application must be a list of rule ids" });
      continue;
    }
    const collected = new Map<string, CompiledRule>();
    const collect = (id: string, parent: { origin: string; redaction: Redaction } | undefined, chain: readonly string[]): void => {
      const spec = lookup(id);
      if (spec === undefined) {
        if (!reported.has(id)) problems.push({ rule: id, message: `unknown rule ${JSON.stringify(id)} in application ${JSON.stringify(selectorText)}` });
        reported.add(id);
        return;
      }
      if (spec === null || collected.has(id) || chain.includes(id)) return;
      const origin = parent?.origin ?? id;
      const redaction = parent && parent.redaction.method !== "default" ? parent.redaction : spec.redaction;
      const ty = spec.ty;
      if (ty.type === "multiple" || ty.type === "alias") {
        const next = ty.hideInner ? { origin, redaction } : undefined;
        for (const inner of ty.type === "multiple" ? ty.rules : [ty.rule]) {
          // Ids a built-in collection names but Relay does not define are skipped quietly.
          if (lookup(inner) === undefined && BUILTIN_RULES.has(id)) continue;
          collect(inner, next, [...chain, id]);
        }
        return;
      }
      collected.set(id, { id, origin, redaction, anything: ty.type === "anything", matchers: matchersFor(ty) });
    };
    for (const id of ids) {
      if (typeof id === "string") collect(id, undefined, []);
      else problems.push({ rule: selectorText, message: "rule ids must be strings" });
    }
    const sorted = [...collected.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    applications.push({ selector: selector.value, matches: compileSelectorMatcher(selector.value), rules: sorted });
  }
  applications.sort((a, b) => compareSelectors(a.selector, b.selector));
  return { applications, problems };
}
