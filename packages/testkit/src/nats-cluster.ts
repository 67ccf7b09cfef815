import { freePort, PortInUseError, startNatsServer, type NatsServer } from "./nats-server.js";
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

interface Started {
  readonly servers: readonly NatsServer[];
  readonly monitors: readonly number[];
}

const START_ATTEMPTS = 5;

/** Starts the servers of a cluster on newly chosen ports; if one fails, stops the others and throws its error. */
async function startServers(size: number): Promise<Started> {
  const routes = await Promise.all(Array.from({ length: size }, () => freePort()));
  const monitors = await Promise.all(Array.from({ length: size }, () => freePort()));
  const results = await Promise.allSettled(
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
  const servers = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failure = results.find((result) => result.status === "rejected");
  if (failure !== undefined) {
    await Promise.all(servers.map((server) => server.stop()));
    throw failure.reason;
  }
  return { servers, monitors };
}

/**
 * Starts `size` nats-servers with JetStream on loopback ports as one cluster, and resolves once
 * every server knows the JetStream meta leader (streams can be made from then on).
 */
export async function startNatsCluster(size = 3, timeoutMs = DEADLINE_MS): Promise<NatsCluster> {
  let started: Started | undefined;
  for (let attempt = 1; started === undefined; attempt++) {
    try {
      started = await startServers(size);
    } catch (error) {
      // Another test took one of the chosen ports before its server bound it: choose again.
      if (!(error instanceof PortInUseError) || attempt === START_ATTEMPTS) throw error;
    }
  }
  const { servers, monitors } = started;
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
