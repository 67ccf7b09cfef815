import type { BuiltinRuleType, Redaction, RuleSpec } from "./pii-rule.js";
import { DEFAULT_REPLACE_TEXT } from "./pii-rule.js";

const replace = (text: string): Redaction => ({ method: "replace", text });
const REMOVE: Redaction = { method: "remove" };
const MASK: Redaction = { method: "mask" };
const HASH: Redaction = { method: "hash" };
const DEFAULT: Redaction = { method: "default" };

const alias = (rule: string): RuleSpec => ({ ty: { type: "alias", rule, hideInner: true }, redaction: DEFAULT });
const of = (type: BuiltinRuleType, redaction: Redaction): RuleSpec => ({ ty: { type }, redaction });

/** Relay's built-in rules (`@ip`, `@email:mask`, `@common:filter`, …) by id. */
export const BUILTIN_RULES: ReadonlyMap<string, RuleSpec> = new Map<string, RuleSpec>([
  [
    "@common",
    {
      ty: { type: "multiple", rules: ["@iban", "@ip", "@email", "@creditcard", "@pemkey", "@urlauth", "@userpath", "@password", "@usssn"], hideInner: false },
      redaction: DEFAULT,
    },
  ],
  [
    "@common:filter",
    {
      ty: {
        type: "multiple",
        // `@userpath:filter` is named here but not defined, so (as in Relay) it is skipped.
        rules: ["@creditcard:filter", "@iban:filter", "@pemkey:filter", "@urlauth:legacy", "@userpath:filter", "@password:filter", "@usssn:filter", "@bearer:filter"],
        hideInner: false,
      },
      redaction: DEFAULT,
    },
  ],
  ["@anything", alias("@anything:replace")],
  ["@anything:remove", of("anything", REMOVE)],
  ["@anything:replace", of("anything", replace(DEFAULT_REPLACE_TEXT))],
  ["@anything:hash", of("anything", HASH)],
  ["@anything:mask", of("anything", MASK)],
  ["@anything:filter", of("anything", replace(DEFAULT_REPLACE_TEXT))],
  ["@ip", alias("@ip:replace")],
  ["@ip:replace", of("ip", replace("[ip]"))],
  ["@ip:hash", of("ip", HASH)],
  ["@ip:mask", of("ip", MASK)],
  ["@ip:remove", of("ip", REMOVE)],
  ["@imei", alias("@imei:replace")],
  ["@imei:replace", of("imei", replace("[imei]"))],
  ["@imei:hash", of("imei", HASH)],
  // Relay defines `@imei:mask` with the hash redaction; kept as it behaves.
  ["@imei:mask", of("imei", HASH)],
  ["@imei:remove", of("imei", REMOVE)],
  ["@mac", alias("@mac:mask")],
  ["@mac:replace", of("mac", replace("[mac]"))],
  ["@mac:hash", of("mac", HASH)],
  ["@mac:mask", of("mac", MASK)],
  ["@mac:remove", of("mac", REMOVE)],
  ["@uuid", alias("@uuid:mask")],
  ["@uuid:replace", of("uuid", replace("[uuid]"))],
  ["@uuid:hash", of("uuid", HASH)],
  ["@uuid:mask", of("uuid", MASK)],
  ["@uuid:remove", of("uuid", REMOVE)],
  ["@email", alias("@email:replace")],
  ["@email:replace", of("email", replace("[email]"))],
  ["@email:hash", of("email", HASH)],
  ["@email:mask", of("email", MASK)],
  ["@email:remove", of("email", REMOVE)],
  ["@iban", alias("@iban:replace")],
  ["@iban:replace", of("iban", replace("[iban]"))],
  ["@iban:hash", of("iban", HASH)],
  ["@iban:mask", of("iban", MASK)],
  ["@iban:filter", of("iban", replace(DEFAULT_REPLACE_TEXT))],
  ["@iban:remove", of("iban", REMOVE)],
  ["@creditcard", alias("@creditcard:replace")],
  ["@creditcard:replace", of("creditcard", replace("[creditcard]"))],
  ["@creditcard:hash", of("creditcard", HASH)],
  ["@creditcard:mask", of("creditcard", MASK)],
  ["@creditcard:filter", of("creditcard", replace(DEFAULT_REPLACE_TEXT))],
  ["@creditcard:remove", of("creditcard", REMOVE)],
  ["@pemkey", alias("@pemkey:replace")],
  ["@pemkey:replace", of("pemkey", replace("[pemkey]"))],
  ["@pemkey:filter", of("pemkey", replace(DEFAULT_REPLACE_TEXT))],
  ["@pemkey:hash", of("pemkey", HASH)],
  ["@pemkey:mask", of("pemkey", MASK)],
  ["@pemkey:remove", of("pemkey", REMOVE)],
  ["@urlauth", alias("@urlauth:replace")],
  ["@urlauth:replace", of("urlauth", replace("[auth]"))],
  ["@urlauth:hash", of("urlauth", HASH)],
  ["@urlauth:mask", of("urlauth", MASK)],
  ["@urlauth:remove", of("urlauth", REMOVE)],
  ["@urlauth:legacy", { ty: { type: "pattern", pattern: /\b((?:[a-z0-9]+:)?\/\/[a-zA-Z0-9%_.-]+:)([a-zA-Z0-9%_.-]+)@/g, replaceGroups: [2] }, redaction: replace(DEFAULT_REPLACE_TEXT) }],
  ["@usssn", alias("@usssn:mask")],
  ["@usssn:replace", of("usssn", replace("[us-ssn]"))],
  ["@usssn:filter", of("usssn", replace(DEFAULT_REPLACE_TEXT))],
  ["@usssn:mask", of("usssn", MASK)],
  ["@usssn:hash", of("usssn", HASH)],
  ["@usssn:remove", of("usssn", REMOVE)],
  ["@userpath", alias("@userpath:replace")],
  ["@userpath:replace", of("userpath", replace("[user]"))],
  ["@userpath:mask", of("userpath", MASK)],
  ["@userpath:hash", of("userpath", HASH)],
  ["@userpath:remove", of("userpath", REMOVE)],
  ["@password", alias("@password:remove")],
  ["@password:filter", of("password", replace(DEFAULT_REPLACE_TEXT))],
  ["@password:hash", of("password", HASH)],
  ["@password:replace", of("password", replace("[password]"))],
  ["@password:mask", of("password", MASK)],
  ["@password:remove", of("password", REMOVE)],
  ["@bearer", alias("@bearer:replace")],
  ["@bearer:replace", of("bearer", replace("Bearer [token]"))],
  ["@bearer:filter", of("bearer", replace(DEFAULT_REPLACE_TEXT))],
  ["@bearer:hash", of("bearer", HASH)],
  ["@bearer:mask", of("bearer", MASK)],
  ["@bearer:remove", of("bearer", REMOVE)],
]);
