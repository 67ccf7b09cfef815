import { expected, invalid, type MetaError } from "./event-meta.js";

/** A point in time as nanoseconds since the Unix epoch (exact, unlike a float of seconds). */
export type Instant = bigint;

const NANOS_PER_SECOND = 1_000_000_000n;

/** The outcome of reading a timestamp field. */
export type TimestampReading =
  | { readonly ok: true; readonly instant: Instant }
  | { readonly ok: false; readonly error: MetaError; readonly original: unknown };

// Dates of the form Relay (chrono) reads: without a zone (UTC) only with `T`; with a zone also
// with a space; seconds required, fractions of any length (nanoseconds kept).
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;
const ZONED = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))/;
const TEMPLATE = "0000-00-00T00:00:00";

const MAX_YEAR = 9999;
// JavaScript dates end here; chrono's range is wider, but every such value is past year 9999 anyway.
const MAX_MILLIS = 8.64e15;

/** Milliseconds since the epoch of a UTC date, for any year (`Date.UTC` maps years 0 to 99 to 1900 and later). */
function utcMillis(year: number, monthIndex: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMillis(year, month, 0)).getUTCDate();
}

/** Whether `text` is the beginning of a date Relay would read (so the error is that it is short). */
function isTruncatedDate(text: string): boolean {
  if (text.length >= TEMPLATE.length) return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d*)?$/.test(text);
  for (let i = 0; i < text.length; i++) {
    const want = TEMPLATE[i]!;
    const have = text[i]!;
    if (want === "0" ? !/\d/.test(have) : want === "T" ? !/[Tt ]/.test(have) : have !== want) return false;
  }
  return true;
}

function fromParts(parts: readonly string[], offsetMinutes: number): Instant | MetaError {
  const [year, month, day, hour, minute, second] = parts.slice(0, 6).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return invalid("input is out of range");
  }
  const fraction = (parts[6] ?? "").slice(0, 9).padEnd(9, "0");
  const seconds = BigInt(utcMillis(year, month - 1, day) / 1000 + hour * 3600 + minute * 60 + second - offsetMinutes * 60);
  return seconds * NANOS_PER_SECOND + BigInt(fraction);
}

function readString(raw: string): Instant | MetaError {
  const text = raw.trim();
  const naive = NAIVE.exec(text);
  if (naive) return fromParts(naive.slice(1), 0);
  const zoned = ZONED.exec(text);
  if (zoned) {
    if (zoned[0].length !== text.length) return invalid("trailing input");
    const sign = zoned[9] === "-" ? -1 : 1;
    const offsetHours = Number(zoned[10] ?? 0);
    const offsetMinutes = Number(zoned[11] ?? 0);
    if (offsetHours > 23 || offsetMinutes > 59) return invalid("input is out of range");
    return fromParts(zoned.slice(1, 8), sign * (offsetHours * 60 + offsetMinutes));
  }
  return invalid(isTruncatedDate(text) ? "premature end of input" : "input contains invalid characters");
}

function readNumber(value: number): Instant | MetaError {
  if (!Number.isFinite(value)) return expected("a timestamp");
  if (Math.abs(value) * 1000 > MAX_MILLIS) return invalid("timestamp out of range");
  if (Number.isInteger(value)) return BigInt(value) * NANOS_PER_SECOND;
  // Whole seconds toward zero; the fraction as nanoseconds, cut (not rounded), none below zero.
  const seconds = Math.trunc(value);
  const fraction = value - seconds;
  const nanos = fraction > 0 ? Math.min(999_999_999, Math.trunc(fraction * 1e9)) : 0;
  return BigInt(seconds) * NANOS_PER_SECOND + BigInt(nanos);
}

function yearOf(instant: Instant): number {
  return new Date(Number(floorDiv(instant, 1_000_000n))).getUTCFullYear();
}

function floorDiv(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  return value % divisor !== 0n && value < 0n ? quotient - 1n : quotient;
}

/**
 * Reads a timestamp field as Relay does: Unix seconds as a number, or a date as text (RFC 3339
 * with `Z` or an offset, or without a zone for UTC). `undefined` for an absent value (or null).
 */
export function readTimestamp(value: unknown): TimestampReading | undefined {
  if (value === undefined || value === null) return undefined;
  let result: Instant | MetaError;
  if (typeof value === "number") result = readNumber(value);
  else if (typeof value === "string") result = readString(value);
  else result = expected("a timestamp");
  if (typeof result !== "bigint") return { ok: false, error: result, original: value };
  if (yearOf(result) > MAX_YEAR) return { ok: false, error: invalid("timestamp out of range"), original: value };
  return { ok: true, instant: result };
}

/** Seconds since the epoch as Relay writes timestamps: a float rounded to microseconds. */
export function instantToSeconds(instant: Instant): number {
  const seconds = floorDiv(instant, NANOS_PER_SECOND);
  const nanos = Number(instant - seconds * NANOS_PER_SECOND);
  return Number(seconds) + Math.round(nanos / 1000) / 1_000_000;
}

/** An instant from milliseconds since the epoch. */
export function instantFromMillis(millis: number): Instant {
  const whole = Math.floor(millis);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((millis - whole) * 1_000_000));
}

function fractionDigits(nanos: number): string {
  if (nanos === 0) return "";
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, "0")}`;
  if (nanos % 1000 === 0) return `.${String(nanos / 1000).padStart(6, "0")}`;
  return `.${String(nanos).padStart(9, "0")}`;
}

function dateParts(instant: Instant): { date: string; time: string; fraction: string } {
  const seconds = floorDiv(instant, NANOS_PER_SECOND);
  const nanos = Number(instant - seconds * NANOS_PER_SECOND);
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19), fraction: fractionDigits(nanos) };
}

/** The instant as RFC 3339 the way Relay writes times into `_meta` (`2000-01-03T00:02:00+00:00`). */
export function formatRfc3339(instant: Instant): string {
  const { date, time, fraction } = dateParts(instant);
  return `${date}T${time}${fraction}+00:00`;
}

/** The instant as Relay displays it in messages (`1969-12-31 23:59:58 UTC`). */
export function formatDisplay(instant: Instant): string {
  const { date, time, fraction } = dateParts(instant);
  return `${date} ${time}${fraction} UTC`;
}

/**
 * Parses an event timestamp as Relay does: Unix seconds as a number, or RFC 3339 text (with `Z`,
 * an offset, or no zone for UTC). Returns seconds rounded to microseconds, or `undefined`.
 */
export function parseTimestamp(value: unknown): number | undefined {
  const reading = readTimestamp(value);
  return reading?.ok ? instantToSeconds(reading.instant) : undefined;
}
