import { freePort, startNatsServer, type NatsServer } from "./nats-server.js";
import { DEADLINE_MS } from "./wait.js";

/** nats-servers with JetStream, routed to each other as one cluster. */
export interface NatsCluster {
  readonly servers: readonly NatsServer[];
  /** The client URLs of every server. */
  readonly urls: readonly string[];
  /** Stops every server still running. */
  stop(): Promise<void>;
}

interface JetStreamStatus {
  readonly meta_cluster?: { readonly leader?: string };
}

/**
 * Starts `size` nats-servers with JetStream on loopback ports as one cluster, and resolves once
 * every server knows the JetStream meta leader (streams can be made from then on).
 */
export async function startNatsCluster(size = 3, timeoutMs = DEADLINE_MS): Promise<NatsCluster> {
  const routes = await Promise.all(Array.from({ length: size }, () => freePort()));
  const monitors = await Promise.all(Array.from({ length: size }, () => freePort()));
  const servers = await Promise.all(
    routes.map((routePort, index) =>
      startNatsServer({
        jetstream: true,
        args: [
          "--server_name", `n${index + 1}`,
          "--cluster_name", "relays",
          "--cluster", `nats://127.0.0.1:${routePort}`,
          "--routes", routes.filter((port) => port !== routePort).map((port) => `nats://127.0.0.1:${port}`).join(","),
          "-m", String(monitors[index]!),
        ],
      }),
    ),
  );
  const cluster: NatsCluster = {
    servers,
    urls: servers.map((server) => server.url),
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
  const leaderKnown = async (monitor: number): Promise<boolean> => {
    try {
      const response = await fetch(`http://127.0.0.1:${monitor}/jsz`);
      const status = (await response.json()) as JetStreamStatus;
      return Boolean(status.meta_cluster?.leader);
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const known = await Promise.all(monitors.map(leaderKnown));
    if (known.every(Boolean)) return cluster;
    if (Date.now() > deadline) {
      await cluster.stop();
      throw new Error(`the JetStream cluster elected no leader within ${timeoutMs} ms:\n${servers.map((server) => server.output()).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
