import { connect as connectTcp, type Socket } from "node:net";
import { MessagingError } from "./messaging-error.js";

/** Options of {@link publishOnce}. */
export interface PublishOnceOptions {
  /** Give up after this long, trying every server in turn every 200 ms until then. */
  readonly deadlineMs: number;
  /** Shuffles the servers; random by default, as the original tries them in random order. */
  readonly shuffle?: (servers: readonly string[]) => readonly string[];
}

/** Why this fast path cannot publish; the caller uses a full NATS client instead. */
export class PublishOnceUnsupported extends Error {
  override readonly name = "PublishOnceUnsupported";
  /** Stable machine-readable identifier. */
  readonly code = "publish_once_unsupported";
}

const CRLF = "\r\n";
const RETRY_MS = 200;

function shuffled(servers: readonly string[]): readonly string[] {
  const out = [...servers];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Host and port of a `nats://` URL (or a bare `host:port`); undefined for schemes this path does not speak. */
function address(server: string): { host: string; port: number } | undefined {
  const url = new URL(server.includes("://") ? server : `nats://${server}`);
  if (url.protocol !== "nats:" || url.username !== "" || url.password !== "") return undefined;
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port: url.port === "" ? 4222 : Number(url.port) };
}

/** What one attempt against one server ended with. */
type Attempt = { readonly ok: true } | { readonly ok: false; readonly error: Error; readonly fatal: boolean };

/** The message {@link publishOnce} sends. */
export interface OneMessage {
  readonly subject: string;
  readonly payload: Uint8Array;
}

/** One connection: INFO, CONNECT + PUB + PING, wait for PONG (the server has routed the message). */
function attempt(target: { readonly host: string; readonly port: number }, message: OneMessage, timeoutMs: number): Promise<Attempt> {
  const { subject, payload } = message;
  return new Promise((resolve) => {
    const socket: Socket = connectTcp({ host: target.host, port: target.port });
    let buffered = "";
    let sent = false;
    let settled = false;
    const finish = (result: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, error: new MessagingError("timeout", "nats: timeout"), fatal: false });
    }, Math.max(1, timeoutMs));
    socket.setNoDelay(true);
    socket.on("error", (error) => {
      finish({ ok: false, error, fatal: false });
    });
    socket.on("close", () => {
      finish({ ok: false, error: new MessagingError("connection_failed", "nats: connection closed"), fatal: false });
    });
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      for (let end = buffered.indexOf(CRLF); end !== -1; end = buffered.indexOf(CRLF)) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line.startsWith("INFO ") && !sent) {
          let info: { tls_required?: boolean; auth_required?: boolean; max_payload?: number; headers?: boolean };
          try {
            info = JSON.parse(line.slice(5)) as typeof info;
          } catch {
            finish({ ok: false, error: new MessagingError("connection_failed", "nats: the server's INFO does not parse"), fatal: false });
            return;
          }
          if (info.tls_required === true || info.auth_required === true) {
            finish({ ok: false, error: new PublishOnceUnsupported("the server wants TLS or authentication"), fatal: true });
            return;
          }
          if (info.max_payload !== undefined && payload.length > info.max_payload) {
            finish({ ok: false, error: new MessagingError("connection_failed", "nats: maximum payload exceeded"), fatal: true });
            return;
          }
          const connectLine = JSON.stringify({ verbose: false, pedantic: false, lang: "remaphore", version: "1", protocol: 1, name: "remaphore", headers: false, no_responders: false });
          socket.write(Buffer.concat([Buffer.from(`CONNECT ${connectLine}${CRLF}PUB ${subject} ${payload.length}${CRLF}`), payload, Buffer.from(`${CRLF}PING${CRLF}`)]));
          sent = true;
        } else if (line === "PING") {
          socket.write(`PONG${CRLF}`);
        } else if (line === "PONG" && sent) {
          finish({ ok: true });
          return;
        } else if (line.startsWith("-ERR")) {
          finish({ ok: false, error: new MessagingError("connection_failed", `nats: ${line.slice(4).trim().replace(/^'|'$/g, "")}`), fatal: true });
          return;
        }
      }
    });
  });
}

/**
 * Publishes one message over a plain `nats://` connection without loading a NATS client library:
 * the short path for a `remaphore -s` that starts, sends and exits. Resolves once the server has
 * answered a PING sent after the message (so it has routed it). Tries the servers in random
 * order, again every 200 ms, until the deadline (`nats: timeout`). Throws
 * {@link PublishOnceUnsupported} when a server wants TLS or authentication, or a URL is not
 * `nats://`: the caller then uses the full client.
 */
export async function publishOnce(servers: readonly string[], message: OneMessage, options: PublishOnceOptions): Promise<void> {
  const { subject } = message;
  const targets = servers.map((server) => {
    let parsed: ReturnType<typeof address>;
    try {
      parsed = address(server);
    } catch {
      parsed = undefined;
    }
    if (!parsed) throw new PublishOnceUnsupported(`not a plain nats:// server: ${server}`);
    return parsed;
  });
  if (subject === "" || /[\s]/.test(subject)) throw new MessagingError("invalid_field", `nats: invalid subject ${JSON.stringify(subject)}`);
  const deadline = Date.now() + options.deadlineMs;
  const order = options.shuffle ?? shuffled;
  for (;;) {
    for (const target of order(targets.map((t) => `${t.host}:${t.port}`))) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new MessagingError("timeout", "nats: timeout");
      const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
      const result = await attempt({ host, port }, message, remaining);
      if (result.ok) return;
      if (result.fatal) throw result.error;
    }
    const wait = Math.min(RETRY_MS, deadline - Date.now());
    if (wait <= 0) throw new MessagingError("timeout", "nats: timeout");
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
