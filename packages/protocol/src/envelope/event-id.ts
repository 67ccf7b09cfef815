import { randomUUID } from "node:crypto";

const HEX32 = /^[0-9a-fA-F]{32}$/;
const DASHED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Normalizes an event id, 32 hex digits or a dashed UUID in any case (the nil UUID included), to
 * 32 lowercase hex digits; anything else gives `undefined`.
 */
export function normalizeEventId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (HEX32.test(value)) return value.toLowerCase();
  if (DASHED.test(value)) return value.replaceAll("-", "").toLowerCase();
  return undefined;
}

/** A fresh random id as Sentry writes event (and trace) ids: a version 4 UUID as 32 lowercase hex digits. */
export function newEventId(): string {
  return randomUUID().replaceAll("-", "");
}
