import { spawn, spawnSync, type ChildProcess, type ChildProcessByStdio } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { DEADLINE_MS } from "./wait.js";

/** A `nats-server` process on a loopback port. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  /** Starts it again on the same port, for reconnect tests. */
  restart(): Promise<void>;
  /** Stops the process but keeps its data (JetStream streams), for an outage ended by {@link restart}. */
  halt(): Promise<void>;
  /** What the server logged. */
  output(): string;
  /** The server's JetStream store, a temporary folder removed by {@link stop}. */
  readonly storeDir: string;
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Extra arguments, such as `["-js"]`. */
  readonly args?: readonly string[];
  /** A fixed port; a free one by default. */
  readonly port?: number;
  /** Enable JetStream (`-js`), its store in the temporary folder {@link NatsServer.storeDir}. */
  readonly jetstream?: boolean;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** The range the kernel takes the local ports of outgoing connections from (Linux; its default elsewhere). */
function outgoingPortRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // Not Linux: the usual default.
  }
  return [32768, 60999];
}

const LOWEST_TEST_PORT = 10000;

/**
 * A port to try: one outside the range of outgoing connections' local ports, so that no connection
 * made anywhere on the machine can take it between the check and a server's bind (port 0 would pick
 * from that very range). 0 when that range leaves too little room.
 */
function candidatePort(): number {
  const [low, high] = outgoingPortRange();
  if (low - LOWEST_TEST_PORT >= 1000) return LOWEST_TEST_PORT + randomInt(low - LOWEST_TEST_PORT);
  if (65535 - high >= 1000) return high + 1 + randomInt(65535 - high);
  return 0;
}

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(undefined);
      else reject(error);
    });
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : 0;
      server.close(() => {
        resolve(bound);
      });
    });
  });
}

/**
 * A port on 127.0.0.1 that nothing listens on right now, chosen outside the range of outgoing
 * connections' local ports. Another test can still pick the same one before its server binds it:
 * launchers retry on {@link PortInUseError}.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await listenOnce(candidatePort());
    if (port !== undefined) return port;
  }
  throw new Error("found no free port on 127.0.0.1 in 100 tries");
}

/** A nats-server that stopped at start because one of its ports was taken. */
export class PortInUseError extends Error {
  constructor(readonly log: string) {
    super(`nats-server could not listen, a port is taken:\n${log}`);
    this.name = "PortInUseError";
  }
}

const START_ATTEMPTS = 5;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      resolve(false);
    });
  });
}

/** Starts the system's `nats-server` on 127.0.0.1 and waits until it accepts connections. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  if (spawnSync("nats-server", ["--version"]).error) {
    throw new Error("nats-server is not installed: run `bash scripts/setup.sh` (or apt-get install nats-server)");
  }
  let port = options.port ?? (await freePort());
  const storeDir = mkdtempSync(join(tmpdir(), "nats-"));
  let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  let log = "";

  async function start(): Promise<void> {
    const current = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-sd", storeDir, ...(options.jetstream === true ? ["-js"] : []), ...(options.args ?? [])], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = current;
    running.add(current);
    current.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
    current.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    current.once("exit", () => running.delete(current));
    // Ready once this run's log says every listener is up (routes come after "Server is ready") and the
    // port answers; a bare connect could reach another process that holds the port.
    const from = log.length;
    const args = options.args ?? [];
    const ready = (): boolean => {
      const since = log.slice(from);
      return (
        since.includes(`Listening for client connections on 127.0.0.1:${port}\n`) &&
        since.includes("Server is ready") &&
        (!args.includes("--cluster") || since.includes("Listening for route connections on"))
      );
    };
    const deadline = Date.now() + DEADLINE_MS;
    while (Date.now() < deadline) {
      if (current.exitCode !== null) {
        if (log.includes("address already in use")) throw new PortInUseError(log);
        throw new Error(`nats-server exited with ${current.exitCode}:\n${log}`);
      }
      if (ready() && (await accepts(port))) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    current.kill("SIGKILL");
    throw new Error(`nats-server did not accept connections on port ${port} within ${DEADLINE_MS} ms:\n${log}`);
  }

  async function stopProcess(): Promise<void> {
    const current = child;
    child = undefined;
    if (current?.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill("SIGTERM");
    const timer = setTimeout(() => current.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }

  /** Starts the process on `port`; while a port stays taken, tries again until the deadline (a restart keeps its port). */
  async function startOnSamePort(): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      try {
        await start();
        return;
      } catch (error) {
        if (!(error instanceof PortInUseError) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      // Only the client port is ours to change; the caller chose the ports in `args`.
      const ownPortTaken = error instanceof PortInUseError && error.log.includes(`:${port}: bind`);
      if (!ownPortTaken || options.port !== undefined || attempt === START_ATTEMPTS) {
        rmSync(storeDir, { recursive: true, force: true });
        throw error;
      }
      log = "";
      port = await freePort();
    }
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopProcess();
      rmSync(storeDir, { recursive: true, force: true });
    },
    halt: () => stopProcess(),
    async restart() {
      await stopProcess();
      await startOnSamePort();
    },
    output: () => log,
    storeDir,
  };
}
