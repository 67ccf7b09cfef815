// @module-tag e2e
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";
import { fileURLToPath } from "node:url";
import { waitUntil } from "@org/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRelayProcess, type RelayProcess } from "./relay-process.js";

const DEV_CERT = fileURLToPath(new URL("../../../scripts/dev-cert.sh", import.meta.url));
const SHUTDOWN_TIMEOUT_S = 2;
/** What the relay's HTTP server answers once it has read the head of a request sent with `Expect: 100-continue`. */
const INTERIM = "HTTP/1.1 100 Continue\r\n\r\n";
/** What the relay logs when requests outlast their share of the shutdown timeout. */
const CLOSED_UNANSWERED = "requests still in flight at shutdown; closing their connections unanswered";

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
    // The relay answers 100 Continue once it has the request in hand: then it is in flight.
    "Expect: 100-continue",
    "",
    "",
  ].join("\r\n");
  const start = '{"message":"';
  socket.write(`${head}${start}`);
  // One more byte now and then: the upload is alive, just slow, and never completes: the last of
  // its 1 000 bytes is never sent, however long the relay takes to give up on it.
  let missing = 1000 - start.length;
  const trickle = setInterval(() => {
    if (!socket.destroyed && missing > 1) {
      socket.write("x");
      missing -= 1;
    }
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

async function httpsAddress(relay: RelayProcess): Promise<string> {
  const address = (): string | undefined => /relay also listening on (https:\/\/\S+)/.exec(relay.output())?.[1];
  await waitUntil(() => address() !== undefined, "the relay to print its HTTPS address", { detail: () => relay.output() });
  return address()!;
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

  /**
   * SIGTERM with `upload` in flight and still trickling (it would take minutes to finish): the
   * relay exits, having closed the upload's connection unanswered when its share of
   * shutdown_timeout ran out, rather than waiting for the body or answering it.
   */
  async function expectPromptShutdown(relay: RelayProcess, upload: SlowUpload): Promise<void> {
    uploads.push(upload);
    await waitUntil(() => upload.answer() === INTERIM, "the relay to take the upload", { detail: () => upload.answer() });
    const code = await relay.stop();
    expect(code, relay.output()).toBe(0);
    expect(relay.output()).toContain(CLOSED_UNANSWERED);
    await upload.closed;
    // Nothing was accepted, so the client retries: no answer was sent.
    expect(upload.answer()).toBe(INTERIM);
  }

  it("a client trickling a body does not hold the relay past shutdown_timeout; it gets no answer", async () => {
    const relay = await start(writeConfig("plain"));
    await expectPromptShutdown(relay, await tcpUpload(relay.url, new URL(relay.dsn).username));
  });

  it("the same holds for an upload over the TLS listener", async () => {
    const certs = join(dir, "certs");
    execFileSync("sh", [DEV_CERT, certs], { stdio: "ignore" });
    const relay = await start(writeConfig("tls", { tls_port: 0, tls_cert_path: join(certs, "cert.pem"), tls_key_path: join(certs, "key.pem") }));
    await expectPromptShutdown(relay, await tlsUpload(await httpsAddress(relay), new URL(relay.dsn).username, readFileSync(join(certs, "ca.pem"))));
  });
});
