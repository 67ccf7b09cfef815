import { describe, expect, it } from "vitest";
import type { ProjectState } from "../projects/project-state.js";
import { processEnvelope, type ProcessingInput } from "./process-envelope.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY = "a".repeat(32);

function input(filterSettings: Readonly<Record<string, unknown>>, config: Partial<ProjectState["config"]> = {}): ProcessingInput {
  const project: ProjectState = {
    projectId: "1",
    disabled: false,
    publicKeys: [{ publicKey: KEY, isEnabled: true, numericId: 31 }],
    config: { allowedDomains: ["*"], trustedRelays: [], filterSettings, ...config },
  };
  return { project, globalScrubbing: { scrubData: false, scrubDefaults: false }, limited: [] };
}

/** The one event item of a delivered envelope. */
function deliveredEvent(result: ReturnType<typeof processEnvelope>): Record<string, unknown> {
  if (result.kind !== "deliver") throw new Error(`expected a delivery, got ${JSON.stringify(result)}`);
  const lines = decoder.decode(result.payload).split("\n");
  return JSON.parse(lines[2]!) as Record<string, unknown>;
}

function claimed(items: readonly [type: string, payload: unknown][], clientIp = "198.51.100.7") {
  const lines = [JSON.stringify({ event_id: "b".repeat(32) }), ...items.flatMap(([type, payload]) => [JSON.stringify({ type }), JSON.stringify(payload)])];
  return { id: "b".repeat(32), projectId: "1", receivedAt: 1_700_000_000_000, context: { publicKey: KEY, clientIp }, payload: encoder.encode(`${lines.join("\n")}\n`) };
}

const transaction = (name: string, release = "1.0.0") => ({
  type: "transaction",
  transaction: name,
  release,
  start_timestamp: 1_699_999_999,
  timestamp: 1_700_000_000,
  contexts: { trace: { trace_id: "c".repeat(32), span_id: "d".repeat(16), op: "http.server" } },
  spans: [],
});

describe("processEnvelope's inbound filters", () => {
  it("filters transactions by name and by release, as Relay does", () => {
    const settings = { ignoreTransactions: { isEnabled: true, patterns: ["*healthcheck*"] }, releases: { releases: ["0.9.*"] } };
    const byName = processEnvelope(claimed([["transaction", transaction("GET /healthcheck")]]), input(settings));
    expect(byName).toEqual({ kind: "drop", dropped: [expect.objectContaining({ kind: "filtered", reason: "filtered-transaction", category: "transaction" })] });
    const byRelease = processEnvelope(claimed([["transaction", transaction("GET /users", "0.9.3")]]), input(settings));
    expect(byRelease).toEqual({ kind: "drop", dropped: [expect.objectContaining({ kind: "filtered", reason: "release-version", category: "transaction" })] });
    const kept = processEnvelope(claimed([["transaction", transaction("GET /users")]]), input(settings));
    expect(kept.kind).toBe("deliver");
    expect(kept.kind === "deliver" && decoder.decode(kept.payload)).toContain('"transaction":"GET /users"');
  });

  it("filters transactions and feedback from a blocked client address", () => {
    const settings = { clientIps: { blacklistedIps: ["198.51.100.0/24"] } };
    const feedback = { type: "feedback", contexts: { feedback: { message: "it broke", contact_email: "jane@example.com" } } };
    const result = processEnvelope(claimed([["transaction", transaction("GET /users")], ["feedback", feedback]]), input(settings));
    expect(result).toEqual({
      kind: "drop",
      dropped: [expect.objectContaining({ kind: "filtered", reason: "ip-address", category: "transaction" }), expect.objectContaining({ kind: "filtered", reason: "ip-address" })],
    });
    expect(processEnvelope(claimed([["feedback", feedback]], "203.0.113.1"), input(settings)).kind).toBe("deliver");
  });
});

describe("processEnvelope's normalization", () => {
  it("resolves {{auto}} to the client's address and writes the project, the key's id and the protocol version", () => {
    const event = deliveredEvent(processEnvelope(claimed([["event", { message: "hi", user: { id: "7", ip_address: "{{auto}}" } }]]), input({})));
    expect(event.user).toEqual({ id: "7", ip_address: "198.51.100.7" });
    expect(event).toMatchObject({ project: 1, key_id: "31", version: "7" });
  });

  it("does not infer the address for a project that scrubs IP addresses", () => {
    const scrubbing = { datascrubbingSettings: { scrubData: true, scrubIpAddresses: true } };
    const result = processEnvelope(claimed([["event", { message: "hi", platform: "javascript", user: { id: "7", ip_address: "{{auto}}" } }]]), input({}, scrubbing));
    expect(result.kind === "deliver" && decoder.decode(result.payload)).not.toContain("198.51.100.7");
    expect((deliveredEvent(result).user as Record<string, unknown>).id).toBe("7");
  });
});
