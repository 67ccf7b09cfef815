import { constants, readFileSync } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { connect as connectSocket, createServer } from "node:net";
import { join } from "node:path";
import { pino } from "pino";
import { RegistrationError, RelayRegistration, UpstreamClient, type RelayCredentials } from "@org/relay-core";
import { connect, credsAuthenticator, type NatsConnection } from "nats";
import { credentialsPath } from "./credentials-command.js";
import { loadTlsSettings } from "./tls.js";
import type { LoadedConfig } from "./load-config.js";
import { resolveRelayOptions } from "./relay-settings.js";
import { loadRelayIdentity } from "./relay-credentials.js";

/** The result of one check. */
export interface Check {
  readonly name: string;
  readonly status: "ok" | "warn" | "fail";
  readonly detail: string;
}

/** What a connection to the relay's address finds there: nothing, a relay, or another program. */
async function probeAddress(host: string, port: number, timeoutMs: number): Promise<"nothing" | "relay" | "other"> {
  const connected = await new Promise<boolean>((resolve) => {
    const socket = connectSocket({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      resolve(false);
    });
  });
  if (!connected) return "nothing";
  try {
    const response = await fetch(`http://${host.includes(":") ? `[${host}]` : host}:${port}/api/relay/healthcheck/live/`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json().catch(() => undefined)) as { is_healthy?: unknown } | undefined;
    return response.ok && body?.is_healthy === true ? "relay" : "other";
  } catch {
    return "other";
  }
}

/** Binds the address for a moment: says why `relay run` could not listen there, if it could not. */
function bindProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      const reasons: Record<string, string> = {
        EADDRINUSE: "is already in use",
        EACCES: "needs privileges this user does not have (ports below 1024)",
        EADDRNOTAVAIL: "is not an address of this machine",
      };
      resolve(`${host}:${port} ${reasons[error.code ?? ""] ?? `cannot be listened on (${error.message})`}`);
    });
    server.listen(port, host, () => {
      server.close(() => {
        resolve(undefined);
      });
    });
  });
}

/** The port check: a running relay is fine, another program or an address that cannot be bound is not. */
async function checkPort(host: string, port: number, timeoutMs: number): Promise<Check> {
  if (port !== 0) {
    const found = await probeAddress(host, port, timeoutMs);
    if (found === "relay") return { name: "port", status: "ok", detail: `a relay is running on ${host}:${port} and answers its health check` };
    if (found === "other") return { name: "port", status: "fail", detail: `${host}:${port} is already in use by another program: stop it or change relay.port` };
  }
  const problem = await bindProblem(host, port);
  return problem ? { name: "port", status: "fail", detail: `${problem}: change relay.host or relay.port` } : { name: "port", status: "ok", detail: `${host}:${port} is free` };
}

/**
 * `relay doctor`: checks the configuration, the credentials, the spool folder, the port, and the
 * upstream (reachable, TLS, clock skew against its `Date`), and says what to do about each problem.
 */
export async function runDoctor(loaded: LoadedConfig, env: NodeJS.ProcessEnv, version: string, now: () => number = Date.now): Promise<Check[]> {
  const { config, dir } = loaded;
  const checks: Check[] = [];
  try {
    resolveRelayOptions(config);
    checks.push({ name: "config", status: "ok", detail: loaded.file ? `${loaded.file} is valid` : "no config.yml: running as a local capture relay" });
  } catch (error) {
    checks.push({ name: "config", status: "fail", detail: (error as Error).message });
  }

  const mode = config.relay.mode;
  let identity: RelayCredentials | undefined;
  if (mode === "managed") {
    try {
      const loadedIdentity = await loadRelayIdentity(dir, env);
      identity = loadedIdentity;
      const source = env.RELAY_ID !== undefined ? "RELAY_ID and RELAY_SECRET_KEY" : credentialsPath(dir);
      checks.push({ name: "credentials", status: "ok", detail: `relay id ${loadedIdentity.relayId} (from ${source})` });
    } catch (error) {
      checks.push({ name: "credentials", status: "fail", detail: (error as Error).message });
    }
  }

  if (config.spool.backend === "jetstream") {
    checks.push(await checkJetStream(config));
  } else {
    const spoolDir = config.spool.path ?? join(dir, "spool");
    try {
      await mkdir(spoolDir, { recursive: true, mode: 0o700 });
      await access(spoolDir, constants.W_OK);
      checks.push({ name: "spool", status: "ok", detail: `${spoolDir} is writable` });
    } catch (error) {
      checks.push({ name: "spool", status: "fail", detail: `${spoolDir} is not writable: ${(error as Error).message}` });
    }
  }

  try {
    const tls = loadTlsSettings(config, dir);
    if (tls) checks.push({ name: "tls", status: "ok", detail: `certificate and key load; HTTPS on port ${tls.port}` });
  } catch (error) {
    checks.push({ name: "tls", status: "fail", detail: (error as Error).message });
  }

  checks.push(await checkPort(config.relay.host, config.relay.port, config.http.connection_timeout * 1000));

  if (mode !== "capture") {
    const url = new URL("/api/0/relays/live/", config.relay.upstream).href;
    try {
      const started = now();
      const response = await fetch(url, { signal: AbortSignal.timeout(config.http.connection_timeout * 1000 + config.http.timeout * 1000) });
      const date = response.headers.get("date");
      checks.push({ name: "upstream", status: response.ok ? "ok" : "warn", detail: `${url} answered ${response.status} in ${now() - started} ms` });
      if (date) {
        const skew = Math.round((now() - Date.parse(date)) / 1000);
        checks.push(
          Math.abs(skew) > 60
            ? { name: "clock", status: "fail", detail: `this clock is ${skew} s off the upstream's: signed requests will be refused; fix the time (NTP)` }
            : { name: "clock", status: "ok", detail: `within ${Math.abs(skew)} s of the upstream` },
        );
      }
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code?.startsWith("ERR_TLS") || cause?.code?.includes("CERT") ? `TLS problem: ${cause.message ?? cause.code}` : (cause?.message ?? (error as Error).message);
      checks.push({ name: "upstream", status: "fail", detail: `${url} is not reachable (${reason}): check relay.upstream and the network` });
    }
  }
  if (identity) checks.push(await checkRegistration(config.relay.upstream, identity, version, config.http.timeout * 1000, config.http.connection_timeout * 1000));
  return checks;
}

/** Connects to the JetStream spool's servers and looks for its stream. */
async function checkJetStream(config: LoadedConfig["config"]): Promise<Check> {
  const { nats } = config.spool;
  const servers = typeof nats.servers === "string" ? [nats.servers] : nats.servers;
  let connection: NatsConnection | undefined;
  try {
    connection = await connect({
      servers,
      timeout: config.http.connection_timeout * 1000,
      maxReconnectAttempts: 0,
      authenticator: nats.credentials ? credsAuthenticator(readFileSync(nats.credentials)) : undefined,
    });
    const manager = await connection.jetstreamManager();
    const exists = await manager.streams.info(nats.stream).then(
      () => true,
      () => false,
    );
    return { name: "spool", status: "ok", detail: `JetStream at ${servers.join(", ")} ${exists ? `has the stream ${nats.stream}` : `is reachable; the stream ${nats.stream} will be created at start`}` };
  } catch (error) {
    return { name: "spool", status: "fail", detail: `JetStream at ${servers.join(", ")}: ${(error as Error).message} (is nats-server running with -js, and are spool.nats.servers and credentials right?)` };
  } finally {
    await connection?.close();
  }
}

/** Registers with the upstream once, exactly as `relay run` would, and explains a refusal. */
async function checkRegistration(upstream: string, credentials: RelayCredentials, version: string, timeoutMs: number, connectTimeoutMs: number): Promise<Check> {
  const client = new UpstreamClient({ upstream, timeoutMs, connectTimeoutMs, maxConnections: 1, userAgent: "sentry-relay-doctor" });
  const { publicKey } = credentials;
  const registration = new RelayRegistration({
    client,
    credentials,
    version,
    logger: pino({ level: "silent" }),
    authIntervalMs: 600_000,
    maxRetryIntervalMs: 60_000,
  });
  try {
    await registration.register();
    return { name: "registration", status: "ok", detail: `the upstream accepts this relay (public key ${publicKey})` };
  } catch (error) {
    return { name: "registration", status: "fail", detail: error instanceof RegistrationError ? error.message : (error as Error).message };
  } finally {
    await client.destroy();
  }
}

/** Prints the checks; the exit code is 1 when any failed. */
export function formatChecks(checks: readonly Check[]): string {
  const mark = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;
  return checks.map((check) => `[${mark[check.status]}] ${check.name}: ${check.detail}\n`).join("");
}
