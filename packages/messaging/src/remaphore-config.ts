import { decodeBase58PublicKey, decodeBase58SecretKey, encodeBase58, keyPairFromSecretKey, type KeyPair, type Result } from "@org/identity";
import { parseGoDuration } from "./go-duration.js";

/** A verb list: `*` allows every verb. Verbs are lower-cased when read, as the original does. */
export type VerbList = readonly string[];

/** One of this node's own identities, with the verbs it may send. */
export interface Identity {
  readonly publicKeyText: string;
  readonly keyPair: KeyPair;
  readonly verbs: VerbList;
}

/** A known remote node: its destination, key and the verbs it may send to us. */
export interface Peer {
  readonly destination: string;
  readonly publicKeyText: string;
  readonly publicKey: Uint8Array;
  readonly verbs: VerbList;
}

/** A parsed remaphore config file. */
export interface RemaphoreConfig {
  /** NATS server URLs, in the order written (connections try them in random order). */
  readonly servers: readonly string[];
  /** NATS credentials file (JWT and nkey seed); undefined (missing or empty) connects without. */
  readonly credentials?: string | undefined;
  readonly subject: string;
  /** Base58 public key of the identity used to send by default. */
  readonly defaultIdentity: string;
  readonly destination: string;
  /** Largest accepted difference between a message's time and ours, in milliseconds. */
  readonly allowSkewMs: number;
  readonly identities: readonly Identity[];
  readonly peers: readonly Peer[];
  /** Where JetStream keeps signals and semaphores (keys the original ignores). */
  readonly jetstream: JetStreamSettings;
}

/** The config keys of what remaphore does on NATS JetStream: kept signals and semaphores. */
export interface JetStreamSettings {
  /** `keep_stream`: the stream kept signals are stored in (created or updated on demand). */
  readonly keepStream: string;
  /** `keep_max_age`: the longest a signal is kept (the stream's max age); `--keep` cannot exceed it. */
  readonly keepMaxAgeMs: number;
  /** `keep_max_msgs`: signals kept per id and destination (the stream's max messages per subject). */
  readonly keepMaxMsgs: number;
  /** `since`: how far back a receiver reads kept signals when no `--since` is given; 0: it does not. */
  readonly sinceMs: number;
  /** `state_dir`: where receivers record the kept signals they acted on; undefined: the user's state folder. */
  readonly stateDir?: string | undefined;
  /** `semaphore_bucket`: the key-value bucket of the semaphores. */
  readonly semaphoreBucket: string;
  /** `semaphore_ttl`: how long a slot outlives its holder's last heartbeat when no `--ttl` is given. */
  readonly semaphoreTtlMs: number;
  /** `jetstream_replicas`: copies of the stream and the bucket in a cluster (1, 3 or 5). */
  readonly replicas: number;
}

/** The JetStream settings of a config that names none. */
export const DEFAULT_JETSTREAM_SETTINGS: JetStreamSettings = Object.freeze({
  keepStream: "REMAPHORE_KEPT",
  keepMaxAgeMs: 24 * 3_600_000,
  keepMaxMsgs: 16,
  sinceMs: 0,
  semaphoreBucket: "remaphore_semaphores",
  semaphoreTtlMs: 30_000,
  replicas: 1,
});

/** A problem in a config file, with its line (1-based; 0 for the file as a whole). */
export interface ConfigProblem {
  readonly line: number;
  readonly message: string;
}

/** The config, or every problem found in it. */
export type ConfigResult = Result<RemaphoreConfig, readonly ConfigProblem[]>;

/** Reads a `[a, b]` verb list; `undefined` when it is not one. */
function parseVerbs(text: string): VerbList | undefined {
  const match = /^\[(.*)\]$/.exec(text.trim());
  if (!match) return undefined;
  const inner = match[1]!.trim();
  if (inner === "") return [];
  // Empty entries (`[ping, ]`) are dropped, as the original does: they must not allow the empty verb.
  return inner
    .split(",")
    .map((verb) => verb.trim().toLowerCase())
    .filter((verb) => verb !== "");
}

/**
 * Parses a remaphore config file: `key: value` settings, then `[ Identities ]` and `[ Peers ]`
 * sections. Comments start at `#`. Every malformed line is reported with its number; nothing
 * throws.
 */
export function parseRemaphoreConfig(text: string): ConfigResult {
  const problems: ConfigProblem[] = [];
  const servers: string[] = [];
  const settings = new Map<string, { value: string; line: number }>();
  const identities: Identity[] = [];
  const peers: Peer[] = [];
  let section: "settings" | "identities" | "peers" | "unknown" = "settings";

  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = index + 1;
    const hash = rawLine.indexOf("#");
    const content = (hash === -1 ? rawLine : rawLine.slice(0, hash)).trim();
    if (content === "") return;
    const header = /^\[\s*([^\]]*?)\s*\]$/.exec(content);
    if (header) {
      const name = header[1]!.toLowerCase();
      section = name === "identities" ? "identities" : name === "peers" ? "peers" : "unknown";
      return;
    }
    if (section === "unknown") return;
    if (section === "settings") {
      const colon = content.indexOf(":");
      if (colon === -1) {
        problems.push({ line, message: `expected "key: value", found ${JSON.stringify(content)}` });
        return;
      }
      const key = content.slice(0, colon).trim().toLowerCase();
      const value = content.slice(colon + 1).trim();
      if (key === "server") servers.push(value);
      else settings.set(key, { value, line });
      return;
    }
    const bracket = content.indexOf("[");
    const fields = (bracket === -1 ? content : content.slice(0, bracket)).trim().split(/[ \t]+/);
    const verbs = bracket === -1 ? undefined : parseVerbs(content.slice(bracket));
    if (verbs === undefined) {
      problems.push({ line, message: "missing or malformed verb list (write [ping, upload], [*] or [])" });
      return;
    }
    if (section === "identities") {
      if (fields.length !== 2) {
        problems.push({ line, message: "an identity line is: <public key> <private key> [verbs]" });
        return;
      }
      const publicKey = decodeBase58PublicKey(fields[0]!);
      const secretKey = decodeBase58SecretKey(fields[1]!);
      if (!publicKey.ok) return void problems.push({ line, message: `identity public key: ${publicKey.error.message}` });
      if (!secretKey.ok) return void problems.push({ line, message: `identity private key: ${secretKey.error.message}` });
      const pair = keyPairFromSecretKey(secretKey.value);
      if (!pair.ok || encodeBase58(pair.value.publicKey) !== encodeBase58(publicKey.value)) {
        return void problems.push({ line, message: "the private key does not belong to the public key" });
      }
      identities.push({ publicKeyText: fields[0]!, keyPair: pair.value, verbs });
      return;
    }
    if (fields.length !== 2) {
      problems.push({ line, message: "a peer line is: <destination> <public key> [verbs]" });
      return;
    }
    const publicKey = decodeBase58PublicKey(fields[1]!);
    if (!publicKey.ok) return void problems.push({ line, message: `peer public key: ${publicKey.error.message}` });
    peers.push({ destination: fields[0]!, publicKeyText: fields[1]!, publicKey: publicKey.value, verbs });
  });

  const get = (key: string): string | undefined => settings.get(key)?.value;
  if (servers.length === 0) problems.push({ line: 0, message: "no server configured (server: nats://host:4222)" });
  // Without credentials the connection is made without them, as a plain local nats-server wants.
  const credentials = nonEmpty(get("credentials"));
  if (identities.length === 0) problems.push({ line: 0, message: "no identity in [ Identities ]" });
  const destination = get("destination");
  if (!destination) problems.push({ line: 0, message: "no destination configured (destination: site.host)" });
  let allowSkewMs = 3000;
  const skew = settings.get("allow_skew");
  if (skew) {
    const parsed = parseGoDuration(skew.value);
    if (parsed === undefined || parsed < 0) problems.push({ line: skew.line, message: `allow_skew is not a duration: ${JSON.stringify(skew.value)}` });
    // `0` means the default, as in the original.
    else if (parsed > 0) allowSkewMs = parsed;
  }
  const jetstream = parseJetStreamSettings(settings, problems);
  const defaultIdentity = get("default_identity") ?? identities[0]?.publicKeyText ?? "";
  const defaultSetting = settings.get("default_identity");
  if (defaultSetting && !decodeBase58PublicKey(defaultSetting.value).ok) {
    problems.push({ line: defaultSetting.line, message: "default_identity is not a base58 public key" });
  }
  if (problems.length > 0) return { ok: false, error: problems.sort((a, b) => a.line - b.line) };
  return {
    ok: true,
    value: {
      servers,
      credentials,
      subject: nonEmpty(get("subject")) ?? "remaphore",
      defaultIdentity,
      destination: destination!,
      allowSkewMs,
      identities,
      peers,
      jetstream,
    },
  };
}

/** A JetStream stream or bucket name: no dots, wildcards, spaces or path separators. */
const JETSTREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function parseJetStreamSettings(settings: ReadonlyMap<string, { value: string; line: number }>, problems: ConfigProblem[]): JetStreamSettings {
  const name = (key: string, fallback: string): string => {
    const setting = settings.get(key);
    if (!setting || setting.value === "") return fallback;
    if (!JETSTREAM_NAME.test(setting.value)) problems.push({ line: setting.line, message: `${key} must be 1 to 64 letters, digits, "-" or "_": ${JSON.stringify(setting.value)}` });
    return setting.value;
  };
  const duration = (key: string, fallback: number, allowZero: boolean): number => {
    const setting = settings.get(key);
    if (!setting || setting.value === "") return fallback;
    const ms = parseGoDuration(setting.value);
    if (ms === undefined || ms < 0 || (!allowZero && ms < 1000)) {
      problems.push({ line: setting.line, message: `${key} is not a duration${allowZero ? "" : " of 1s or more"}: ${JSON.stringify(setting.value)}` });
      return fallback;
    }
    return ms;
  };
  const count = (key: string, fallback: number, rule: { readonly allowed: (n: number) => boolean; readonly what: string }): number => {
    const { allowed, what } = rule;
    const setting = settings.get(key);
    if (!setting || setting.value === "") return fallback;
    const n = /^[0-9]+$/.test(setting.value) ? Number(setting.value) : Number.NaN;
    if (!Number.isSafeInteger(n) || !allowed(n)) {
      problems.push({ line: setting.line, message: `${key} must be ${what}: ${JSON.stringify(setting.value)}` });
      return fallback;
    }
    return n;
  };
  const defaults = DEFAULT_JETSTREAM_SETTINGS;
  return {
    keepStream: name("keep_stream", defaults.keepStream),
    keepMaxAgeMs: duration("keep_max_age", defaults.keepMaxAgeMs, false),
    keepMaxMsgs: count("keep_max_msgs", defaults.keepMaxMsgs, { allowed: (n) => n >= 1, what: "a number, 1 or more" }),
    sinceMs: duration("since", defaults.sinceMs, true),
    stateDir: nonEmpty(settings.get("state_dir")?.value),
    semaphoreBucket: name("semaphore_bucket", defaults.semaphoreBucket),
    semaphoreTtlMs: duration("semaphore_ttl", defaults.semaphoreTtlMs, false),
    replicas: count("jetstream_replicas", defaults.replicas, { allowed: (n) => n === 1 || n === 3 || n === 5, what: "1, 3 or 5" }),
  };
}

/** A duration the way Go prints the common ones: `24h`, `90m`, `5s`, `1500ms`. */
function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

function formatVerbs(verbs: VerbList): string {
  return `[${verbs.join(", ")}]`;
}

/** Writes a config back in the file format (`-C` prints one of these). */
export function renderRemaphoreConfig(config: RemaphoreConfig): string {
  const seconds = config.allowSkewMs / 1000;
  const js = config.jetstream;
  const lines = [
    ...config.servers.map((server) => `server: ${server}`),
    ...(config.credentials === undefined ? [] : [`credentials: ${config.credentials}`]),
    `subject: ${config.subject}`,
    `default_identity: ${config.defaultIdentity}`,
    `destination: ${config.destination}`,
    `allow_skew: ${Number.isInteger(seconds) ? `${seconds}s` : `${config.allowSkewMs}ms`}`,
    "",
    "# NATS JetStream, for remaphore -s --keep, --since and --acquire (the original ignores these keys)",
    `keep_stream: ${js.keepStream}`,
    `keep_max_age: ${formatDuration(js.keepMaxAgeMs)}`,
    `keep_max_msgs: ${js.keepMaxMsgs}`,
    js.sinceMs > 0 ? `since: ${formatDuration(js.sinceMs)}` : "# since: 1h",
    js.stateDir === undefined ? "# state_dir: ~/.local/state/remaphore" : `state_dir: ${js.stateDir}`,
    `semaphore_bucket: ${js.semaphoreBucket}`,
    `semaphore_ttl: ${formatDuration(js.semaphoreTtlMs)}`,
    `jetstream_replicas: ${js.replicas}`,
    "",
    "[ Identities ]",
    ...config.identities.map((id) => `${id.publicKeyText} ${encodeBase58(id.keyPair.secretKey)} ${formatVerbs(id.verbs)}`),
    "",
    "[ Peers ]",
    ...config.peers.map((peer) => `${peer.destination} ${peer.publicKeyText} ${formatVerbs(peer.verbs)}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** The example config `-C` prints, around a freshly generated identity. */
export function exampleConfig(identity: KeyPair): RemaphoreConfig {
  const publicKeyText = encodeBase58(identity.publicKey);
  return {
    servers: ["nats://natsserver:4222"],
    credentials: "/path/to/credentials/file",
    subject: "remaphore",
    defaultIdentity: publicKeyText,
    destination: "all",
    allowSkewMs: 5000,
    identities: [{ publicKeyText, keyPair: identity, verbs: ["ping"] }],
    peers: [],
    jetstream: DEFAULT_JETSTREAM_SETTINGS,
  };
}
