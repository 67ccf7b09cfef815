import { describe, expect, it } from "vitest";
import { fitEvent } from "./fit-event.js";

const size = (event: Record<string, unknown>): number => Buffer.byteLength(JSON.stringify(event));

function parsed(result: ReturnType<typeof fitEvent>): Record<string, any> /* eslint-disable-line @typescript-eslint/no-explicit-any -- free-form event JSON */ {
  if (!result) throw new Error("the event did not fit");
  return JSON.parse(Buffer.from(result.payload).toString()) as Record<string, unknown>;
}

describe("fitEvent", () => {
  it("leaves an event that fits alone", () => {
    const event = { message: "hi", extra: { a: 1 } };
    const result = fitEvent(event, 1000);
    expect(result?.trimmed).toBe(false);
    expect(parsed(result)).toEqual(event);
  });

  it("drops the oldest breadcrumbs first", () => {
    const values = Array.from({ length: 8 }, (_, i) => ({ message: `${i}`.padEnd(100, ".") }));
    const event = { message: "hi", breadcrumbs: { values } };
    const result = fitEvent(event, 500);
    const out = parsed(result);
    expect(result?.trimmed).toBe(true);
    expect(out.message).toBe("hi");
    expect(out.breadcrumbs.values.length).toBeGreaterThan(0);
    expect(out.breadcrumbs.values.at(-1)).toEqual(values.at(-1));
    expect(result!.payload.length).toBeLessThanOrEqual(500);
  });

  it("then cuts long strings, counting bytes of multi-byte characters", () => {
    const event = { message: "é".repeat(20_000), extra: { note: "ok" } };
    const result = fitEvent(event, 10_000);
    expect(result!.payload.length).toBeLessThanOrEqual(10_000);
    expect(parsed(result)).toEqual({ message: `${"é".repeat(1024)}…`, extra: { note: "ok" } });
  });

  it("then drops optional parts, keeping the exception", () => {
    const extra = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    const event = { exception: { values: [{ type: "Error", value: "boom" }] }, extra };
    expect(size(event)).toBeGreaterThan(5000);
    const out = parsed(fitEvent(event, 5000));
    expect(out).toEqual({ exception: { values: [{ type: "Error", value: "boom" }] } });
  });

  it("gives up when even the bare event is too big", () => {
    expect(fitEvent({ event_id: "x".repeat(100) }, 50)).toBeUndefined();
  });
});
