import { loadSdkCaptures } from "@org/testkit";
import { describe, expect, it } from "vitest";
import type * as RelayCore from "../src/index.js";
import type * as RelayCoreInternal from "../src/internal.js";
import type { ClaimedEnvelope, ProjectStates } from "../src/index.js";

// The workers run compiled code, so the processor is taken from the build (types from the sources).
const { permissiveProjectStates, ProjectStateUnavailable } = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof RelayCore;
const { createEnvelopeProcessor, createWorkerProcessor } = (await import(new URL("../dist/internal.js", import.meta.url).href)) as typeof RelayCoreInternal;

const encoder = new TextEncoder();

function claimed(id: string, payload: string): ClaimedEnvelope {
  return { handle: 1, id, projectId: "1", receivedAt: 1_700_000_000_000, attempts: 0, context: { publicKey: "a".repeat(32), clientIp: "10.0.0.1" }, payload: encoder.encode(payload) };
}

describe("processing in worker threads", () => {
  it("gives exactly the result of processing on the event loop, for every recorded SDK envelope", async () => {
    const projects = permissiveProjectStates();
    const options = { projects, globalScrubbing: { scrubData: true, scrubDefaults: true } };
    const inline = createEnvelopeProcessor(options);
    const workers = createWorkerProcessor({ ...options, threads: 2 });
    try {
      const envelopes = loadSdkCaptures()
        .filter((capture) => capture.path.includes("/envelope/") && (capture.decodedText !== undefined || capture.bodyEncoding === "identity"))
        .map((capture, index) => claimed(index.toString(16).padStart(32, "0"), capture.decodedText ?? capture.body.toString("utf8")));
      expect(envelopes.length).toBeGreaterThan(5);
      const fromWorkers = await Promise.all(envelopes.map((envelope) => workers.process(envelope)));
      const onLoop = await Promise.all(envelopes.map((envelope) => inline(envelope)));
      expect(fromWorkers).toEqual(onLoop);
      expect(fromWorkers.filter((result) => result.kind === "deliver").length).toBeGreaterThan(5);
    } finally {
      await workers.close();
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
