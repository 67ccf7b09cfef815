import { describe, expect, it } from "vitest";
import { expiredOutcomes } from "./outcomes.js";

const encoder = new TextEncoder();

describe("expiredOutcomes", () => {
  it("counts each item of an expired envelope under its category and key, and an unreadable envelope as default", () => {
    const envelope = `{"event_id":"${"a".repeat(32)}"}\n{"type":"event"}\n{"message":"old"}\n{"type":"attachment","length":2}\nhi\n`;
    const outcomes = expiredOutcomes([
      { id: "a".repeat(32), projectId: "42", receivedAt: 0, context: { publicKey: "k".repeat(32) }, payload: encoder.encode(envelope) },
      { id: "b".repeat(32), projectId: "7", receivedAt: 0, context: { publicKey: "k".repeat(32) }, payload: encoder.encode("not an envelope\n{") },
    ]);
    expect(outcomes).toEqual([
      { kind: "expired", reason: "spool_max_age", category: "error", projectId: "42", quantity: 1, publicKey: "k".repeat(32) },
      { kind: "expired", reason: "spool_max_age", category: "attachment", projectId: "42", quantity: 1, publicKey: "k".repeat(32) },
      { kind: "expired", reason: "spool_max_age", category: "default", projectId: "7", quantity: 1, publicKey: "k".repeat(32) },
    ]);
  });
});
