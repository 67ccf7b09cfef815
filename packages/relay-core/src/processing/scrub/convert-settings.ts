import type { ScrubbingPolicy } from "./scrubbing-policy.js";
import { GEN_AI_PAYLOAD_FIELDS } from "./item-schema.js";
import { formatSelector, parseSelectorStrict } from "./selector.js";

/** Fields the legacy data scrubber never strips. */
const DATASCRUBBER_IGNORE = "debug_meta.** || $frame.filename || $frame.abs_path || $logentry.formatted || $error.value || $http.headers.user-agent";

/** Fields known to hold IP addresses, removed whole when IPs are scrubbed. */
const KNOWN_IP_FIELDS = "$http.env.REMOTE_ADDR || $user.ip_address || $sdk.client_ip || $span.sentry_tags.'user.ip' || attributes.'client.address'";

/** Session and CSRF cookie names of common web frameworks: only these cookies are filtered. */
const SENSITIVE_COOKIE_NAMES = [
  "sentrysid",
  "sudo",
  "su",
  "session",
  "__session",
  "sessionid",
  "user_session",
  "symfony",
  "phpsessid",
  "fasthttpsessionid",
  "mysession",
  "irissessionid",
  "_vercel_jwt",
  "csrf",
  "xsrf",
  "_xsrf",
  "_csrf",
  "csrf-token",
  "csrf_token",
  "xsrf-token",
  "xsrf_token",
  "fastcsrf",
  "_iris_csrf",
];

const SENSITIVE_COOKIES = [
  "*.'http.request.header.cookie'",
  ...SENSITIVE_COOKIE_NAMES.flatMap((name) => [`*.cookies.${name}`, `*.'http.request.header.cookie.${name}'`]),
].join(" || ");

/** Fields important to the product that get only the replacing rules, never whole-value filters. */
const REPLACE_ONLY = [
  "$logentry.formatted",
  "$log.body",
  ...[
    ...GEN_AI_PAYLOAD_FIELDS,
    "mcp.prompt.result",
    "mcp.tool.result.content",
  ].flatMap((field) => [`$span.data.'${field}'`, `attributes.'${field}'.value`]),
].join(" || ");

/** A PII config in Relay's JSON shape, as project configs carry it in `piiConfig`. */
export interface PiiConfigJson {
  readonly rules?: Readonly<Record<string, unknown>>;
  readonly applications: Readonly<Record<string, readonly string[]>>;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$#&\-~]/g, "\\$&");
}


/**
 * Converts `datascrubbingSettings` (or the relay's `pii` policy) into the PII config Relay derives
 * from them: `@common:filter` on every value but a few product fields, session cookies filtered,
 * the replacing rules on messages, IP fields removed and `@ip:replace` everywhere when asked, and
 * the sensitive fields as a `strip-fields` rule. `undefined` when the settings scrub nothing.
 */
export function convertScrubbingSettings(settings: ScrubbingPolicy): PiiConfigJson | undefined {
  const rules: Record<string, unknown> = {};
  const applied: string[] = [];
  const applications: Record<string, readonly string[]> = {};
  if (settings.scrubData === true && settings.scrubDefaults === true) {
    applied.push("@common:filter");
    applications[SENSITIVE_COOKIES] = ["@anything:filter"];
    applications[REPLACE_ONLY] = ["@email:replace", "@creditcard:replace", "@iban:replace", "@usssn:replace", "@bearer:replace"];
  }
  if (settings.scrubIpAddresses === true) {
    applications[KNOWN_IP_FIELDS] = ["@anything:remove"];
    applied.push("@ip:replace");
  }
  if (settings.scrubData === true) {
    const fields = (settings.sensitiveFields ?? []).map((field) => field.trim()).filter((field) => field !== "");
    if (fields.length > 0) {
      rules["strip-fields"] = {
        type: "redact_pair",
        // Matched without regard to case: the compiled plan knows this rule is converted.
        keyPattern: fields.map(escapeRegex).join("|"),
        redaction: { method: "replace", text: "[Filtered]" },
      };
      applied.push("strip-fields");
    }
  }
  if (applied.length === 0 && Object.keys(applications).length === 0) return undefined;
  const conjunctions = ["($string || $number || $array || $object)", `!(${DATASCRUBBER_IGNORE})`];
  for (const raw of settings.excludeFields ?? []) {
    const field = raw.trim();
    if (field === "") continue;
    // Exclusions are selectors (`$user.id`, `a.**`); anything else names a key, as Relay falls back.
    const parsed = parseSelectorStrict(field);
    const excluded = parsed.ok ? parsed.value : { kind: "path" as const, items: [{ kind: "key" as const, key: field, lower: field.toLowerCase() }] };
    conjunctions.push(formatSelector({ kind: "not", inner: excluded }));
  }
  if (applied.length > 0) applications[conjunctions.join(" && ")] = applied;
  return Object.keys(rules).length > 0 ? { rules, applications } : { applications };
}
