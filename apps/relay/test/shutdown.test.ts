import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRelayProcess, type RelayProcess } from "./relay-process.js";

const DEV_CERT = fileURLToPath(new URL("../../../scripts/dev-cert.sh", import.meta.url));
const SHUTDOWN_TIMEOUT_S = 2;
/** Process exit, logger flush and a loaded test machine on top of the shutdown timeout. */
const MARGIN_MS = 5_000;

/** A client that sent the headers of a store request and then only trickles its body. */
interface SlowUpload {
  /** Everything the relay wrote back. */
  answer(): string;
  /** Resolves when the relay has closed the connection. */
  readonly closed: Promise<void>;
  destroy(): void;
}

function slowUpload(socket: Socket, key: string): SlowUpload {
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
  socket.on("error", () => {
    // A connection reset by the relay is the expected end.
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => { resolve(); }));
  const head = [
    "POST /api/1/store/ HTTP/1.1",
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    `X-Sentry-Auth: Sentry sentry_version=7, sentry_key=${key}, sentry_client=slow/1.0`,
    "Content-Length: 1000",
    "",
    "",
  ].join("\r\n");
  socket.write(`${head}{"message":"`);
  // One more byte now and then: the upload is alive, just slow, and never completes in time.
  const trickle = setInterval(() => {
    if (!socket.destroyed) socket.write("x");
  }, 200);
  void closed.then(() => { clearInterval(trickle); });
  return {
    answer: () => answer,
    closed,
    destroy: () => {
      clearInterval(trickle);
      socket.destroy();
    },
  };
}

function tcpUpload(url: string, key: string): Promise<SlowUpload> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: hostname, port: Number(port) }, () => { resolve(slowUpload(socket, key)); });
    socket.once("error", reject);
  });
}

function tlsUpload(url: string, key: string, ca: Buffer): Promise<SlowUpload> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: hostname, port: Number(port), ca, servername: "localhost" }, () => { resolve(slowUpload(socket, key)); });
    socket.once("error", reject);
  });
}

/** Sends SIGTERM and measures how long the relay takes to exit. */
async function terminate(relay: RelayProcess): Promise<{ code: number | null; elapsedMs: number }> {
  const started = performance.now();
  const code = await relay.stop();
  return { code, elapsedMs: performance.now() - started };
}

async function httpsAddress(relay: RelayProcess): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const url = /relay also listening on (https:\/\/\S+)/.exec(relay.output())?.[1];
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the relay printed no HTTPS address:\n${relay.output()}`);
}

/** Lets the relay read the request head, so that the request is in flight when SIGTERM comes. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300));
}

describe("SIGTERM with uploads in flight", () => {
  let dir: string;
  const relays: RelayProcess[] = [];
  const uploads: SlowUpload[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-shutdown-"));
  });

  afterEach(async () => {
    for (const upload of uploads.splice(0)) upload.destroy();
    for (const relay of relays.splice(0)) {
      relay.child.kill("SIGKILL");
      await relay.stop();
    }
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(name: string, relay: Record<string, string | number> = {}): string {
    const config = join(dir, name);
    mkdirSync(config, { recursive: true });
    const lines = Object.entries(relay).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
    writeFileSync(
      join(config, "config.yml"),
      ["relay:", "  mode: capture", "  port: 0", ...lines, "limits:", `  shutdown_timeout: ${SHUTDOWN_TIMEOUT_S}`, ""].join("\n"),
    );
    return config;
  }

  async function start(config: string): Promise<RelayProcess> {
    const relay = await startRelayProcess(dir, ["--config", config, "run"]);
    relays.push(relay);
    return relay;
  }

  /** SIGTERM with `upload` still trickling: the relay exits in time and the upload gets no 200. */
  async function expectPromptShutdown(relay: RelayProcess, upload: SlowUpload): Promise<void> {
    uploads.push(upload);
    await settle();
    const { code, elapsedMs } = await terminate(relay);
    expect(code, relay.output()).toBe(0);
    expect(elapsedMs, relay.output()).toBeLessThan(SHUTDOWN_TIMEOUT_S * 1000 + MARGIN_MS);
    await upload.closed;
    // Nothing was accepted, so the client retries: no 200 was sent.
    expect(upload.answer()).not.toMatch(/^HTTP\/1\.1 200/);
  }

  it("a client trickling a body does not hold the relay past shutdown_timeout; it gets no answer", async () => {
    const relay = await start(writeConfig("plain"));
    await expectPromptShutdown(relay, await tcpUpload(relay.url, new URL(relay.dsn).username));
  }, 20_000);

  it("the same holds for an upload over the TLS listener", async () => {
    const certs = join(dir, "certs");
    execFileSync("sh", [DEV_CERT, certs], { stdio: "ignore" });
    const relay = await start(writeConfig("tls", { tls_port: 0, tls_cert_path: join(certs, "cert.pem"), tls_key_path: join(certs, "key.pem") }));
    await expectPromptShutdown(relay, await tlsUpload(await httpsAddress(relay), new URL(relay.dsn).username, readFileSync(join(certs, "ca.pem"))));
  }, 20_000);
});
