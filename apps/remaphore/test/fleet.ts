import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBase58, generateKeyPair, type KeyPair } from "@org/identity";
import { waitUntil } from "@org/testkit";
import { connect, nkeys, type NatsConnection } from "nats";
import { main } from "../src/main.js";

/** The remaphore command's entry point. */
export const REMAPHORE_BIN = fileURLToPath(new URL("../bin/remaphore.cjs", import.meta.url));

/** A node of a test fleet: its destination, identity and config file. */
export interface FleetNode {
  readonly destination: string;
  readonly pair: KeyPair;
  readonly key: string;
  readonly configFile: string;
}

/** Writes a NATS credentials file (user JWT and a real nkey seed) in the standard layout. */
export function writeCredentials(path: string): void {
  const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
  const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2ln";
  writeFileSync(
    path,
    `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
    { mode: 0o600 },
  );
}

/** A temporary folder with config files for several nodes that know each other as peers. */
export class Fleet {
  readonly dir = mkdtempSync(join(tmpdir(), "remaphore-fleet-"));
  readonly nodes = new Map<string, FleetNode>();
  private readonly credentials = join(this.dir, "test.creds");

  private readonly withoutCredentials: boolean;
  private readonly settings: readonly string[];

  constructor(
    private readonly natsUrl: string,
    destinations: readonly string[],
    options: {
      /** Write no `credentials` line: the nodes connect to a plain nats-server without them. */
      readonly withoutCredentials?: boolean;
      /** More `key: value` lines for every node (`{dir}` and `{destination}` are filled in). */
      readonly settings?: readonly string[];
    } = {},
  ) {
    this.withoutCredentials = options.withoutCredentials ?? false;
    this.settings = options.settings ?? [];
    writeCredentials(this.credentials);
    for (const destination of destinations) {
      const pair = generateKeyPair();
      this.nodes.set(destination, { destination, pair, key: encodeBase58(pair.publicKey), configFile: join(this.dir, `${destination}.conf`) });
    }
    for (const node of this.nodes.values()) this.writeConfig(node, "[ping, upload]");
  }

  /** Rewrites a node's config, every other node a peer with `verbs`. */
  writeConfig(node: FleetNode, verbs: string, extraPeers: readonly string[] = []): void {
    const peers = [...this.nodes.values()].filter((peer) => peer !== node).map((peer) => `${peer.destination} ${peer.key} ${verbs}`);
    const text = [
      `server: ${this.natsUrl}`,
      ...(this.withoutCredentials ? [] : [`credentials: ${this.credentials}`]),
      "subject: remaphore",
      `default_identity: ${node.key}`,
      `destination: ${node.destination}`,
      "allow_skew: 5s",
      ...this.settings.map((line) => line.replaceAll("{dir}", this.dir).replaceAll("{destination}", node.destination)),
      "",
      "[ Identities ]",
      `${node.key} ${encodeBase58(node.pair.secretKey)} [*]`,
      "",
      "[ Peers ]",
      ...peers,
      ...extraPeers,
      "",
    ].join("\n");
    writeFileSync(node.configFile, text, { mode: 0o600 });
    chmodSync(node.configFile, 0o600);
  }

  node(destination: string): FleetNode {
    const node = this.nodes.get(destination);
    if (!node) throw new Error(`no node ${destination}`);
    return node;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A finished remaphore process. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A remaphore process still running. */
export interface Running {
  readonly done: Promise<RunResult>;
  /** What it wrote on stderr so far. */
  readonly stderr: () => string;
  /** Sends it a signal. */
  readonly kill: (signal: NodeJS.Signals) => void;
}

/** Starts remaphore with `args`; debug logging on, so tests can see why messages were ignored. */
export function remaphore(args: readonly string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [REMAPHORE_BIN, ...args], { env: { ...process.env, REMAPHORE_LOG: "debug", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<RunResult>((resolve) => child.once("close", (code, signal) => {
    resolve({ code: code ?? (signal === null ? null : -1), stdout, stderr });
  }));
  running.add(child);
  void done.then(() => running.delete(child));
  return {
    done,
    stderr: () => stderr,
    kill: (signal) => {
      child.kill(signal);
    },
  };
}

/** A remaphore run in this process (`main`), for tests that move its clock with vitest's fake `Date`. */
export interface InProcess {
  /** Resolves to its exit code. */
  readonly done: Promise<number>;
  /** What it wrote on stdout so far. */
  readonly stdout: () => string;
  /** What it wrote on stderr so far. */
  readonly stderr: () => string;
}

/** Runs remaphore's `main` with `args` in this process, debug logging on. */
export function remaphoreInProcess(args: readonly string[]): InProcess {
  let stdout = "";
  let stderr = "";
  const io = {
    out: (text: string | Uint8Array) => (stdout += typeof text === "string" ? text : Buffer.from(text).toString("latin1")),
    err: (text: string) => (stderr += text),
  };
  const done = main(args, io, { REMAPHORE_LOG: "debug" });
  return { done, stdout: () => stdout, stderr: () => stderr };
}

const running = new Set<ReturnType<typeof spawn>>();
// A test that fails half-way must not leave receivers behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Polls `probe` until it gives a value, under the one generous deadline of `waitUntil`. */
export async function eventually<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  let value: T | undefined | false;
  await waitUntil(() => (value = probe()) !== undefined && value !== false, what);
  return value as T;
}

/** Waits until a running receiver has subscribed: it logs `Ready` only then. */
export async function listening(process: Running): Promise<void> {
  await eventually(() => /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Ready$/m.test(process.stderr()), `the receiver to log Ready:\n${process.stderr()}`);
}

/** A fleet on its own server(s), a scratch folder and a plain NATS connection for the test itself. */
export interface FleetOnServer {
  readonly fleet: Fleet;
  /** A temporary folder for scripts and their output. */
  readonly dir: string;
  readonly nc: NatsConnection;
  /** Closes the connection, removes the folders, stops the servers. */
  readonly stop: () => Promise<void>;
}

/**
 * Writes configs without credentials for `destinations` on the servers at `urls` (the first is
 * the config's, the others more `server:` lines), and connects to them.
 */
export async function fleetOn(urls: readonly string[], destinations: readonly string[], options: { readonly settings?: readonly string[]; readonly stopServers: () => Promise<void> }): Promise<FleetOnServer> {
  const fleet = new Fleet(urls[0]!, destinations, { withoutCredentials: true, settings: [...urls.slice(1).map((url) => `server: ${url}`), ...(options.settings ?? [])] });
  const dir = mkdtempSync(join(tmpdir(), "remaphore-test-"));
  const nc = await connect({ servers: [...urls] });
  return {
    fleet,
    dir,
    nc,
    stop: async () => {
      await nc.close();
      fleet.cleanup();
      rmSync(dir, { recursive: true, force: true });
      await options.stopServers();
    },
  };
}
