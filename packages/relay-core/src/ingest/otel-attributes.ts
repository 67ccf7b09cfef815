import type { Result } from "@org/protocol/result";

/** A Sentry attribute: `{"type":"string","value":"..."}` and friends. */
export interface SentryAttribute {
  readonly type: "string" | "boolean" | "integer" | "double";
  readonly value: string | boolean | number;
}

/** Sentry attributes by key. */
export type SentryAttributes = Record<string, SentryAttribute>;

/** OTLP `AnyValue` nested deeper than this (arrays in maps in arrays ...) is refused. */
export const MAX_ATTRIBUTE_DEPTH = 16;

/** Why an OTLP request could not be converted. */
export interface OtlpError {
  readonly message: string;
}

/** Reads an OTLP field that the JSON encoding may also spell in snake_case. */
export function field(object: unknown, camel: string, snake?: string): unknown {
  if (typeof object !== "object" || object === null) return undefined;
  const record = object as Record<string, unknown>;
  if (Object.hasOwn(record, camel)) return record[camel];
  return snake !== undefined && Object.hasOwn(record, snake) ? record[snake] : undefined;
}

/** A list field (`attributes`, `spans`, ...), empty when absent or not a list. */
export function list(object: unknown, camel: string, snake?: string): readonly unknown[] {
  const value = field(object, camel, snake);
  return Array.isArray(value) ? value : [];
}

/** A string field, `""` when absent. */
export function text(object: unknown, camel: string, snake?: string): string {
  const value = field(object, camel, snake);
  return typeof value === "string" ? value : "";
}

/**
 * A 64-bit integer as protobuf (`Long`), JSON (decimal string) or a plain number gives it, as a
 * bigint; `undefined` when absent or not an integer.
 */
export function int64(value: unknown): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    if (typeof value === "bigint") return value;
    if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : undefined;
    if (typeof value === "string") return /^-?\d{1,20}$/.test(value) ? BigInt(value) : undefined;
    if (typeof value === "object" && typeof (value as { toString?: unknown }).toString === "function") {
      // protobufjs gives 64-bit integers as Long objects, whose toString is the decimal number.
      const digits = (value as { toString(): string }).toString();
      return /^-?\d{1,20}$/.test(digits) ? BigInt(digits) : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Nanoseconds since the epoch as Sentry's seconds with microseconds; `undefined` when absent. */
export function nanosToSeconds(value: unknown): number | undefined {
  const nanos = int64(value);
  if (nanos === undefined || nanos <= 0n) return undefined;
  return Number((nanos + 500n) / 1000n) / 1_000_000;
}

/**
 * An id (trace: 16 bytes, span: 8 bytes) as lower-case hex: protobuf gives bytes, OTLP/JSON hex.
 * `""` for an empty or absent id, `undefined` for one of the wrong shape.
 */
export function hexId(value: unknown, bytes: number): string | undefined {
  if (value === undefined || value === null) return "";
  if (value instanceof Uint8Array) {
    if (value.length === 0) return "";
    return value.length === bytes ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex") : undefined;
  }
  if (typeof value === "string") {
    if (value === "") return "";
    return new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value) ? value.toLowerCase() : undefined;
  }
  return undefined;
}

const ZERO_ID = /^0+$/;

/** Whether a hex id is all zeros (invalid in OTLP). */
export function isZeroId(hex: string): boolean {
  return ZERO_ID.test(hex);
}

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function bytesText(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return new TextDecoder("utf-8", { fatal: false }).decode(value);
  // OTLP/JSON carries bytes as base64.
  if (typeof value === "string") return Buffer.from(value, "base64").toString("utf8");
  return undefined;
}

/** An `AnyValue` as plain JSON (for arrays and maps, which Sentry keeps as JSON strings). */
function plainValue(any: unknown, depth: number): Result<Plain | undefined, OtlpError> {
  if (depth > MAX_ATTRIBUTE_DEPTH) return { ok: false, error: { message: `attribute values nested deeper than ${MAX_ATTRIBUTE_DEPTH} levels` } };
  if (typeof any !== "object" || any === null) return { ok: true, value: undefined };
  const string = field(any, "stringValue", "string_value");
  if (typeof string === "string") return { ok: true, value: string };
  const bool = field(any, "boolValue", "bool_value");
  if (typeof bool === "boolean") return { ok: true, value: bool };
  const int = int64(field(any, "intValue", "int_value"));
  if (int !== undefined) return { ok: true, value: Number(int) };
  const double = field(any, "doubleValue", "double_value");
  if (typeof double === "number") return { ok: true, value: Number.isFinite(double) ? double : null };
  if (typeof double === "string") return { ok: true, value: Number(double) };
  const bytes = field(any, "bytesValue", "bytes_value");
  if (bytes !== undefined && bytes !== null) return { ok: true, value: bytesText(bytes) };
  const array = field(any, "arrayValue", "array_value");
  if (array !== undefined && array !== null) {
    const values: Plain[] = [];
    for (const each of list(array, "values")) {
      const converted = plainValue(each, depth + 1);
      if (!converted.ok) return converted;
      if (converted.value !== undefined) values.push(converted.value);
    }
    return { ok: true, value: values };
  }
  const kvlist = field(any, "kvlistValue", "kvlist_value");
  if (kvlist !== undefined && kvlist !== null) {
    const object: Record<string, Plain> = {};
    for (const pair of list(kvlist, "values")) {
      const converted = plainValue(field(pair, "value"), depth + 1);
      if (!converted.ok) return converted;
      if (converted.value !== undefined) object[text(pair, "key")] = converted.value;
    }
    return { ok: true, value: object };
  }
  return { ok: true, value: undefined };
}

/**
 * An OTLP `AnyValue` as a Sentry attribute, the way Sentry's Relay converts it: strings, booleans,
 * integers and doubles keep their type; bytes become UTF-8 text; arrays and maps become JSON text.
 * `undefined` for an empty value.
 */
export function toSentryAttribute(any: unknown): Result<SentryAttribute | undefined, OtlpError> {
  const plain = plainValue(any, 0);
  if (!plain.ok) return plain;
  const value = plain.value;
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value === "string") return { ok: true, value: { type: "string", value } };
  if (typeof value === "boolean") return { ok: true, value: { type: "boolean", value } };
  if (typeof value === "number") {
    const isInt = int64(field(any, "intValue", "int_value")) !== undefined;
    return { ok: true, value: { type: isInt ? "integer" : "double", value } };
  }
  return { ok: true, value: { type: "string", value: JSON.stringify(value) } };
}

/** Adds OTLP `KeyValue`s to Sentry attributes, keys prefixed with `prefix`. */
export function addAttributes(target: SentryAttributes, keyValues: readonly unknown[], prefix = ""): Result<void, OtlpError> {
  for (const pair of keyValues) {
    const key = text(pair, "key");
    if (key === "") continue;
    const converted = toSentryAttribute(field(pair, "value"));
    if (!converted.ok) return converted;
    if (converted.value !== undefined) target[prefix + key] = converted.value;
  }
  return { ok: true, value: undefined };
}
