import { loadSdkCaptures } from "@org/testkit";
import { describe, expect, it } from "vitest";
import type * as RelayCore from "../src/index.js";
import type * as RelayCoreInternal from "../src/internal.js";
import type { ClaimedEnvelope, ProjectStates } from "../src/index.js";

// The workers run compiled code, so the processor is taken from the build (types from the sources).
const { permissiveProjectStates, ProjectStateUnavailable } = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof RelayCore;
const { createEnvelopeProcessor, createWorkerProcessor, eventLoopBusy } = (await import(new URL("../dist/internal.js", import.meta.url).href)) as typeof RelayCoreInternal;

const encoder = new TextEncoder();

function claimed(id: string, payload: string): ClaimedEnvelope {
  return { handle: 1, id, projectId: "1", receivedAt: 1_700_000_000_000, attempts: 0, context: { publicKey: "a".repeat(32), clientIp: "10.0.0.1" }, payload: encoder.encode(payload) };
}

describe("processing in worker threads", () => {
  it("gives exactly the result of processing on the event loop, for every recorded SDK envelope", async () => {
    const projects = permissiveProjectStates();
    const options = { projects, globalScrubbing: { scrubData: true, scrubDefaults: true } };
    const inline = createEnvelopeProcessor(options);
    // Every envelope crosses to a thread: the event loop counts as busy.
    const workers = createWorkerProcessor({ ...options, threads: 2, busy: () => true });
    try {
      const envelopes = loadSdkCaptures()
        .filter((capture) => capture.path.includes("/envelope/") && (capture.decodedText !== undefined || capture.bodyEncoding === "identity"))
        .map((capture, index) => claimed(index.toString(16).padStart(32, "0"), capture.decodedText ?? capture.body.toString("utf8")));
      expect(envelopes.length).toBeGreaterThan(5);
      const fromWorkers = await Promise.all(envelopes.map((envelope) => workers.process(envelope)));
      const onLoop = await Promise.all(envelopes.map((envelope) => inline(envelope)));
      expect(fromWorkers).toEqual(onLoop);
      expect(fromWorkers.filter((result) => result.kind === "deliver").length).toBeGreaterThan(5);
      expect(workers.stats()).toEqual({ onLoop: 0, inThreads: envelopes.length });
    } finally {
      await workers.close();
    }
  });

  it("processes small envelopes on the event loop while it is not busy, and hands them to the threads once it is", async () => {
    const options = { projects: permissiveProjectStates(), globalScrubbing: { scrubData: true, scrubDefaults: true } };
    let busy = false;
    const counted: string[] = [];
    const metrics = { increment: (name: string, value = 1, tags: Record<string, string> = {}) => counted.push(`${name} ${value} ${JSON.stringify(tags)}`), timing: () => undefined, gauge: () => undefined };
    const processor = createWorkerProcessor({ ...options, threads: 1, busy: () => busy, metrics });
    const reference = createEnvelopeProcessor(options);
    const event = (id: string, message: string): ClaimedEnvelope =>
      claimed(id, `{"event_id":"${id}"}\n{"type":"event"}\n${JSON.stringify({ message, user: { email: "jane@example.com" }, extra: { password: "hunter2" } })}\n`);
    try {
      const quiet = event("c".repeat(32), "on the loop");
      expect(await processor.process(quiet)).toEqual(await reference(quiet));
      expect(processor.stats()).toEqual({ onLoop: 1, inThreads: 0 });

      busy = true;
      const loaded = event("d".repeat(32), "in a thread");
      const fromThread = await processor.process(loaded);
      expect(fromThread).toEqual(await reference(loaded));
      expect(fromThread.kind).toBe("deliver");
      expect(processor.stats()).toEqual({ onLoop: 1, inThreads: 1 });

      // A large envelope would hold up the answers to clients: a thread takes it even when the loop is idle.
      busy = false;
      const large = event("e".repeat(32), "x".repeat(100 * 1024));
      expect(await processor.process(large)).toEqual(await reference(large));
      expect(processor.stats()).toEqual({ onLoop: 1, inThreads: 2 });
      expect(counted).toEqual(['processing.envelopes 1 {"on":"event_loop"}', 'processing.envelopes 1 {"on":"thread"}', 'processing.envelopes 1 {"on":"thread"}']);

      // Claimed together, in one turn of the loop: the loop takes them up to 64 KiB, a thread the rest.
      const batch = ["1", "2", "3"].map((digit) => event(digit.repeat(32), "y".repeat(30 * 1024)));
      const results = await Promise.all(batch.map((envelope) => processor.process(envelope)));
      expect(results).toEqual(await Promise.all(batch.map((envelope) => reference(envelope))));
      expect(processor.stats()).toEqual({ onLoop: 3, inThreads: 3 });
      // The next turn starts with the whole allowance again.
      const next = event("4".repeat(32), "z".repeat(30 * 1024));
      expect(await processor.process(next)).toEqual(await reference(next));
      expect(processor.stats()).toEqual({ onLoop: 4, inThreads: 3 });
    } finally {
      await processor.close();
    }
  });

  it("tells a busy event loop from an idle one by how much of the last window of 50 ms or more it worked", () => {
    const times = { idle: 0, active: 0 };
    const busy = eventLoopBusy(() => ({ ...times }));
    const after = (idle: number, active: number): boolean => {
      times.idle += idle;
      times.active += active;
      return busy();
    };
    // Waited 90 ms, worked 10: idle.
    expect(after(90, 10)).toBe(false);
    // Worked 45 of the next 50 ms: busy.
    expect(after(5, 45)).toBe(true);
    // Under 50 ms since the last verdict: it stands, whatever the loop did meanwhile.
    expect(after(30, 0)).toBe(true);
    // The window grows until it is long enough: 40 ms idle of 60.
    expect(after(10, 20)).toBe(false);
    // Exactly 80 % counts as busy.
    expect(after(10, 40)).toBe(true);
  });

  it("measures the real event loop by default: a loop that worked the whole last window is busy", async () => {
    const processor = createWorkerProcessor({ projects: permissiveProjectStates(), globalScrubbing: {}, threads: 1 });
    const envelope = claimed("f".repeat(32), `{"event_id":"${"f".repeat(32)}"}\n{"type":"event"}\n{"message":"m"}\n`);
    try {
      const until = performance.now() + 100;
      while (performance.now() < until) {
        // The loop works without a pause.
      }
      await processor.process(envelope);
      expect(processor.stats()).toEqual({ onLoop: 0, inThreads: 1 });
    } finally {
      await processor.close();
    }
  });

  it("defers when the project cannot be known, without asking a worker", async () => {
    const unavailable: ProjectStates = { get: () => Promise.reject(new ProjectStateUnavailable("upstream down")), close: () => undefined };
    const workers = createWorkerProcessor({ projects: unavailable, globalScrubbing: {} });
    try {
      expect(await workers.process(claimed("b".repeat(32), "{}\n"))).toEqual({ kind: "defer", reason: "upstream down" });
    } finally {
      await workers.close();
    }
  });
});
