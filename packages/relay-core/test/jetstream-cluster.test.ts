// @module-tag e2e
import { startNatsCluster, waitUntil, type NatsServer } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { openJetStreamSpool, type JetStreamSpool } from "../src/spool/jetstream-spool.js";
import type { SpooledEnvelope } from "../src/spool/spool.js";
import { cleanupAfterEach } from "./upstream-harness.js";

const defer = cleanupAfterEach();

function envelope(id: string): SpooledEnvelope {
  return { id, projectId: "1", receivedAt: Date.now(), context: { publicKey: "a".repeat(32) }, payload: new TextEncoder().encode(`{"event_id":"${id}"}\n`) };
}

/** Three nats-servers with JetStream, routed to each other as one cluster. */
async function cluster(): Promise<readonly NatsServer[]> {
  const started = await startNatsCluster(3);
  defer(() => started.stop());
  return started.servers;
}

/** Opens the spool once the cluster has elected its JetStream leader. */
async function openWhenReady(servers: readonly NatsServer[]): Promise<JetStreamSpool> {
  let spool: JetStreamSpool | undefined;
  let lastError: unknown;
  await waitUntil(
    async () => {
      try {
        spool = await openJetStreamSpool({ servers: servers.map((server) => server.url), stream: "CLUSTERED", replicas: 3, maxBytes: 10_000_000, maxAgeMs: 3_600_000 });
        return true;
      } catch (error) {
        lastError = error;
        return false;
      }
    },
    "the cluster to elect a JetStream leader",
    { everyMs: 200, detail: () => String(lastError) },
  );
  const opened = spool!;
  defer(() => opened.close().catch(() => undefined));
  return opened;
}

describe("JetStream spool on a three-node cluster", () => {
  it("keeps every acknowledged envelope when one server is killed during the load", async () => {
    const servers = await cluster();
    const spool = await openWhenReady(servers);
    const accepted: string[] = [];
    for (let i = 0; i < 400; i++) {
      if (i === 150) await servers[0]!.stop();
      const id = `event-${i}`;
      try {
        await spool.enqueue(envelope(id));
        accepted.push(id);
      } catch {
        // Refused while the cluster fails over: never acknowledged, so the client keeps it.
      }
    }
    expect(accepted.length).toBeGreaterThan(300);
    const seen = new Set<string>();
    const missing = (): string[] => accepted.filter((id) => !seen.has(id));
    await waitUntil(
      async () => {
        const batch = await spool.claim(100).catch(() => []);
        for (const claimed of batch) seen.add(claimed.id);
        await spool.ack(batch.map((claimed) => claimed.handle)).catch(() => undefined);
        return missing().length === 0;
      },
      "every acknowledged envelope to be claimed",
      { detail: () => `missing: ${missing().join(", ")}` },
    );
    expect(missing()).toEqual([]);
  });
});
