import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Replaces the bare `NaN`, `Infinity` and `-Infinity` tokens that Python's json module writes
 * with `null`, leaving string contents alone.
 */
export function repairNonFiniteNumbers(text: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    let token: string | undefined;
    if (text.startsWith("NaN", i)) token = "NaN";
    else if (text.startsWith("Infinity", i)) token = "Infinity";
    else if (text.startsWith("-Infinity", i)) token = "-Infinity";
    if (token) {
      out += text.slice(last, i) + "null";
      i += token.length - 1;
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Parses JSON bytes, repairing Python's non-finite numbers when plain parsing fails. */
export function parseJsonLenient(bytes: Uint8Array | string): Result<unknown, BodyError> {
  const text = typeof bytes === "string" ? bytes : decoder.decode(bytes);
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    try {
      return ok(JSON.parse(repairNonFiniteNumbers(text)));
    } catch {
      return err(new BodyError("invalid_json", `invalid JSON: ${(error as Error).message}`));
    }
  }
}

/** Parses a JSON object (an event, a report), refusing other JSON values. */
export function parseJsonObject(bytes: Uint8Array | string): Result<Record<string, unknown>, BodyError> {
  const parsed = parseJsonLenient(bytes);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return err(new BodyError("not_an_object", "the JSON body is not an object"));
  }
  return ok(value as Record<string, unknown>);
}
