import { spawn, spawnSync, type ChildProcess, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

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
  const port = options.port ?? (await freePort());
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
    const deadline = Date.now() + DEADLINE_MS;
    while (Date.now() < deadline) {
      if (current.exitCode !== null) throw new Error(`nats-server exited with ${current.exitCode}:\n${log}`);
      if (await accepts(port)) return;
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

  await start();
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
      await start();
    },
    output: () => log,
    storeDir,
  };
}
