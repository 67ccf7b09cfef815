/** How a rule replaces what it matches, as in a PII config's `redaction` (`{"method": …}`). */
export type Redaction =
  | { readonly method: "default" }
  | { readonly method: "remove" }
  | { readonly method: "replace"; readonly text: string }
  | { readonly method: "mask" }
  | { readonly method: "hash" };

/** Rule types that match with built-in patterns. */
export type BuiltinRuleType =
  | "anything"
  | "imei"
  | "mac"
  | "uuid"
  | "email"
  | "ip"
  | "creditcard"
  | "iban"
  | "userpath"
  | "pemkey"
  | "urlauth"
  | "usssn"
  | "password"
  | "bearer";

/** What a rule matches. */
export type RuleType =
  | { readonly type: BuiltinRuleType }
  | { readonly type: "pattern"; readonly pattern: RegExp; readonly replaceGroups: readonly number[] | undefined }
  | { readonly type: "redact_pair"; readonly keyPattern: RegExp }
  | { readonly type: "multiple"; readonly rules: readonly string[]; readonly hideInner: boolean }
  | { readonly type: "alias"; readonly rule: string; readonly hideInner: boolean };

/** A rule: what it matches and how it redacts. */
export interface RuleSpec {
  readonly ty: RuleType;
  readonly redaction: Redaction;
}

/** The redaction Relay uses when a `replace` gives no text. */
export const DEFAULT_REPLACE_TEXT = "[Filtered]";
