import { gunzipSync } from "node:zlib";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ReadyEnvelope } from "../pipeline/pipeline.js";
import { RateLimitCache } from "./rate-limit-cache.js";
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from "./upstream-client.js";
import { upstreamDelivery } from "./upstream-delivery.js";

const HOUR_MS = 3_600_000;
const MAX_RETRY_INTERVAL_MS = 60_000;

/** An upstream that is down (every request fails) until the test brings it back. */
function flakyUpstream(): { client: UpstreamClient; sent: { path: string; at: number; body?: Buffer }[]; up: boolean } {
  const state = {
    up: false,
    sent: [] as { path: string; at: number; body?: Buffer }[],
    client: undefined as unknown as UpstreamClient,
  };
  const send = (request: UpstreamRequest): Promise<UpstreamResponse> => {
    const body = request.body instanceof Uint8Array ? Buffer.from(request.body) : undefined;
    state.sent.push({ path: request.path, at: Date.now(), ...(body ? { body } : {}) });
    if (!state.up) return Promise.reject(new Error("connect ECONNREFUSED"));
    return Promise.resolve({ status: 200, headers: {}, body: Buffer.from("{}") });
  };
  state.client = { origin: "http://upstream.test", send } as unknown as UpstreamClient;
  return state;
}

function ready(id: string): ReadyEnvelope {
  const payload = new TextEncoder().encode(`{"event_id":"${id}"}\n{"type":"event"}\n{}`);
  return {
    source: { id, projectId: "1", receivedAt: Date.now(), context: { publicKey: "a".repeat(32) }, payload, handle: 1, attempts: 0 },
    payload,
    itemTypes: ["event"],
    title: "an event",
    outcomes: [],
  };
}

describe("upstream delivery through an outage, in virtual time", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("polls no further apart than the maximum retry interval through an hour down, then resumes and says how long it was down", async () => {
    const upstream = flakyUpstream();
    const logs: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    const delivery = upstreamDelivery({
      client: upstream.client,
      logger,
      rateLimits: new RateLimitCache(() => Date.now()),
      maxRetryIntervalMs: MAX_RETRY_INTERVAL_MS,
      now: () => Date.now(),
    });
    try {
      const down = Date.now();
      expect(await delivery.deliver(ready("e1".repeat(16)))).toMatchObject({ status: "retry" });
      expect(delivery.inOutage).toBe(true);
      const back = delivery.available?.();
      expect(back).toBeInstanceOf(Promise);

      await vi.advanceTimersByTimeAsync(HOUR_MS);
      const polls = upstream.sent.filter((request) => request.path === "/api/0/relays/live/").map((request) => request.at);
      const gaps = polls.slice(1).map((at, index) => at - polls[index]!);
      // Backing off: each pause at least as long as the one before, none over the maximum, and the maximum reached.
      expect(gaps.length).toBeGreaterThan(50);
      expect(gaps.every((gap, index) => index === 0 || gap >= gaps[index - 1]!)).toBe(true);
      expect(Math.max(...gaps)).toBe(MAX_RETRY_INTERVAL_MS);
      // Still down: nothing else was sent, and the envelope waits for its retry.
      expect(upstream.sent.filter((request) => request.path !== "/api/0/relays/live/")).toHaveLength(1);
      expect(delivery.inOutage).toBe(true);
      expect(await delivery.deliver(ready("e2".repeat(16)))).toMatchObject({ status: "retry", reason: "the upstream is unavailable" });

      upstream.up = true;
      await vi.advanceTimersByTimeAsync(MAX_RETRY_INTERVAL_MS);
      await back;
      expect(delivery.inOutage).toBe(false);
      const resumed = logs.find((line) => line.msg === "the upstream is back; delivering the spool");
      expect(resumed?.downSeconds).toBe(Math.round((polls.at(-1)! + MAX_RETRY_INTERVAL_MS - down) / 1000));
      expect(Number(resumed?.downSeconds)).toBeGreaterThanOrEqual(HOUR_MS / 1000);

      expect(await delivery.deliver(ready("e2".repeat(16)))).toEqual({ status: "delivered" });
      const last = upstream.sent.at(-1)!;
      expect(last.path).toBe("/api/1/envelope/");
      // Stamped with the (virtual) time it was sent, not the time it was accepted.
      const header = JSON.parse(gunzipSync(last.body!).toString("utf8").split("\n")[0]!) as { sent_at: string };
      expect(header.sent_at).toBe(new Date(last.at).toISOString());
    } finally {
      delivery.close();
    }
  });
});
