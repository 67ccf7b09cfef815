// @module-tag e2e
import { join } from "node:path";
import { startNatsCluster, waitUntil, type NatsCluster } from "@org/testkit";
import type { NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checked, contend } from "./contenders.js";
import { fleetOn, type Fleet } from "./fleet.js";

describe("a semaphore on a three-server JetStream cluster", () => {
  let cluster: NatsCluster;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let stop: () => Promise<void>;
  const hosts = Array.from({ length: 6 }, (_, i) => `site.host${i}`);

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    ({ fleet, dir, nc, stop } = await fleetOn(cluster.urls, hosts, { settings: ["jetstream_replicas: 3", "semaphore_bucket: clustered"], stopServers: () => cluster.stop() }));
    for (const node of fleet.nodes.values()) fleet.writeConfig(node, "[acquire:*]");
  });

  afterAll(() => stop());

  it("keeps at most -n holders while the bucket's leader is stopped mid-test", async () => {
    const lockDir = join(dir, "rolling");
    const running = contend({ config: (i) => fleet.node(hosts[i]!).configFile, name: "rolling", slots: 2, ttlMs: 10_000, workers: hosts.length, count: 10, lockDir });
    await waitUntil(() => checked(lockDir).counts.length >= 12, "a dozen acquisitions before the outage");
    // The server leading the bucket's stream: losing it makes the cluster elect another.
    const info = await (await nc.jetstreamManager()).streams.info("KV_clustered");
    const leader = cluster.servers[Number(/^n(\d)$/.exec(info.cluster?.leader ?? "n1")![1]) - 1]!;
    const before = checked(lockDir).counts.length;
    await leader.stop();
    const results = await running;
    expect(results.reduce((sum, result) => sum + result.acquired, 0)).toBe(60);
    const { counts, violations } = checked(lockDir);
    expect(violations).toEqual([]);
    expect(counts).toHaveLength(60);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    // Acquisitions went on after the server was gone.
    expect(before).toBeLessThan(60);
    console.log(`cluster: ${before} acquisitions before the leader stopped, 60 in all, ${results.reduce((sum, result) => sum + result.retries, 0)} retries`);
  });
});
