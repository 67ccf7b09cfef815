import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { connect as connectSocket, createServer } from "node:net";
import { pino } from "pino";
import {
  RegistrationError,
  RelayRegistration,
  createUpstreamClient,
  probeJetStreamSpool,
  type RelayCredentials,
  type UpstreamClient,
  type UpstreamSettings,
} from "@org/relay-core";
import { RelayCliError } from "./config-error.js";
import { loadConfig, type LoadedConfig } from "./load-config.js";
import { identitySource } from "./relay-credentials.js";
import { urlHost } from "./relay-listeners.js";
import type { RelaySettings } from "./relay-settings.js";
import { spoolFolder } from "./relay-spool.js";
import { loadUpstreamIdentity, upstreamFor } from "./relay-upstream.js";
import { loadTlsSettings } from "./tls.js";

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
    const response = await fetch(`http://${urlHost(host)}:${port}/api/relay/healthcheck/live/`, { signal: AbortSignal.timeout(timeoutMs) });
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

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** The config folder. */
  readonly dir: string;
  /** Where `RELAY_*` overrides and `RELAY_ID`/`RELAY_SECRET_KEY` are read from, as `relay run` reads them. */
  readonly env: NodeJS.ProcessEnv;
  /** The relay's version: it registers as this version. */
  readonly version: string;
  readonly now?: (() => number) | undefined;
}

/**
 * `relay doctor`: checks the configuration, the credentials, the spool, the TLS files, the port,
 * and the upstream (reachable, TLS, clock skew against its `Date`, registration), each with the
 * functions `relay run` starts with, and says what to do about each problem.
 */
export async function runDoctor(options: DoctorOptions): Promise<Check[]> {
  const { dir, env } = options;
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(dir, env);
  } catch (error) {
    // Nothing else can be checked without a configuration.
    if (error instanceof RelayCliError && (error.code === "config_invalid" || error.code === "config_unreadable")) return [{ name: "config", status: "fail", detail: error.message }];
    throw error;
  }
  const { settings } = loaded;
  const checks: Check[] = [{ name: "config", status: "ok", detail: loaded.file ? `${loaded.file} is valid` : "no config.yml: running as a local capture relay" }];

  let credentials: RelayCredentials | undefined;
  try {
    credentials = await loadUpstreamIdentity({ settings, dir, env });
    if (credentials) checks.push({ name: "credentials", status: "ok", detail: `relay id ${credentials.relayId} (from ${identitySource(dir, env)})` });
  } catch (error) {
    checks.push({ name: "credentials", status: "fail", detail: (error as Error).message });
  }

  checks.push(settings.spool.backend === "jetstream" ? await checkJetStream(settings) : await checkSpoolFolder(spoolFolder(settings, dir)));

  try {
    const tls = loadTlsSettings(settings.tls, { port: settings.listen.port, dir, locate: loaded.locate });
    if (tls) checks.push({ name: "tls", status: "ok", detail: `certificate and key load; HTTPS on port ${tls.port}` });
  } catch (error) {
    checks.push({ name: "tls", status: "fail", detail: (error as Error).message });
  }

  checks.push(await checkPort(settings.listen.host, settings.listen.port, settings.upstream.connectTimeoutMs));

  const upstream = upstreamFor({ settings, version: options.version, credentials });
  if (upstream) checks.push(...(await checkUpstream({ upstream, now: options.now ?? Date.now })));
  return checks;
}

/** The spool's folder exists (or can be made) and this user can write to it. */
async function checkSpoolFolder(folder: string): Promise<Check> {
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await access(folder, constants.W_OK);
    return { name: "spool", status: "ok", detail: `${folder} is writable` };
  } catch (error) {
    return { name: "spool", status: "fail", detail: `${folder} is not writable: ${(error as Error).message}` };
  }
}

/** Connects to the JetStream spool's servers as `relay run` does and looks for its stream. */
async function checkJetStream(settings: RelaySettings): Promise<Check> {
  const { nats } = settings.spool;
  const servers = nats.servers.join(", ");
  try {
    const { streamExists } = await probeJetStreamSpool({
      servers: nats.servers,
      credentialsFile: nats.credentials ?? undefined,
      stream: nats.stream,
      name: "relay doctor",
      timeoutMs: settings.upstream.connectTimeoutMs,
    });
    return { name: "spool", status: "ok", detail: `JetStream at ${servers} ${streamExists ? `has the stream ${nats.stream}` : `is reachable; the stream ${nats.stream} will be created at start`}` };
  } catch (error) {
    return { name: "spool", status: "fail", detail: `JetStream at ${servers}: ${(error as Error).message} (is nats-server running with -js, and are spool.nats.servers and credentials right?)` };
  }
}

/**
 * Asks the upstream's live endpoint with the client `relay run` forwards with (its timeouts,
 * proxies and network-error explanations), compares clocks, and registers once when the relay has
 * an identity.
 */
async function checkUpstream(context: { readonly upstream: UpstreamSettings; readonly now: () => number }): Promise<Check[]> {
  const { upstream, now } = context;
  const client = createUpstreamClient(upstream);
  const checks: Check[] = [];
  const path = "/api/0/relays/live/";
  const url = client.url(path);
  try {
    try {
      const started = now();
      const response = await client.send({ method: "GET", path });
      const date = response.headers.date;
      checks.push({ name: "upstream", status: response.status >= 200 && response.status < 300 ? "ok" : "warn", detail: `${url} answered ${response.status} in ${now() - started} ms` });
      if (typeof date === "string") checks.push(clockCheck(Math.round((now() - Date.parse(date)) / 1000)));
    } catch (error) {
      checks.push({ name: "upstream", status: "fail", detail: `${url} is not reachable (${(error as Error).message}): check relay.upstream and the network` });
    }
    if (upstream.credentials) checks.push(await checkRegistration({ client, upstream, credentials: upstream.credentials }));
    return checks;
  } finally {
    await client.destroy();
  }
}

/** The clock check, from the skew against the upstream's `Date` in seconds. */
function clockCheck(skew: number): Check {
  return Math.abs(skew) > 60
    ? { name: "clock", status: "fail", detail: `this clock is ${skew} s off the upstream's: signed requests will be refused; fix the time (NTP)` }
    : { name: "clock", status: "ok", detail: `within ${Math.abs(skew)} s of the upstream` };
}

/** Registers with the upstream once, exactly as `relay run` would, and explains a refusal. */
async function checkRegistration(context: { readonly client: UpstreamClient; readonly upstream: UpstreamSettings; readonly credentials: RelayCredentials }): Promise<Check> {
  const { client, upstream, credentials } = context;
  const registration = new RelayRegistration({
    client,
    credentials,
    version: upstream.version,
    logger: pino({ level: "silent" }),
    authIntervalMs: upstream.authIntervalMs,
    maxRetryIntervalMs: upstream.maxRetryIntervalMs,
  });
  try {
    await registration.register();
    return { name: "registration", status: "ok", detail: `the upstream accepts this relay (public key ${credentials.publicKey})` };
  } catch (error) {
    return { name: "registration", status: "fail", detail: error instanceof RegistrationError ? error.message : (error as Error).message };
  }
}

/** Prints the checks; the exit code is 1 when any failed. */
export function formatChecks(checks: readonly Check[]): string {
  const mark = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;
  return checks.map((check) => `[${mark[check.status]}] ${check.name}: ${check.detail}\n`).join("");
}
