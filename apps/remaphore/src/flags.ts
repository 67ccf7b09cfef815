import { decodeBase58PublicKey, encodeBase58 } from "@org/identity";
import { parseGoDuration } from "@org/messaging";
import { trimGoSpace } from "./go-space.js";

/** The command line of remaphore, after parsing. */
export interface Flags {
  readonly send: boolean;
  readonly request: boolean;
  readonly once: boolean;
  readonly noDestination: boolean;
  readonly printConfig: boolean;
  readonly help: boolean;
  readonly version: boolean;
  /** `-q`: no log lines on stderr (errors that end the command are still printed). */
  readonly quiet: boolean;
  /** `-j N`: scripts run at the same time (default 1: one at a time, in arrival order). */
  readonly jobs: number;
  /** `-D`; an empty value counts as not given, as in the original. */
  readonly destination?: string | undefined;
  /** `-p`, checked to be a base58 public key of 32 bytes. */
  readonly publicKey?: string | undefined;
  readonly uuid?: string | undefined;
  /** `-v` split at commas, each verb trimmed and empty ones dropped; undefined when none is left. */
  readonly verbs?: readonly string[] | undefined;
  /** `-t` in milliseconds; undefined (no timeout) when not given, zero or negative. */
  readonly timeoutMs?: number | undefined;
  readonly subjectSuffix?: string | undefined;
  readonly configFile: string;
  /** `--keep D`: sending, also keep the message in the JetStream stream for this long (ms). */
  readonly keepMs?: number | undefined;
  /** `--since D`: receiving, first act on what was kept in the last D (ms); overrides the config's `since`. */
  readonly sinceMs?: number | undefined;
  /** `--acquire NAME`: run the command while holding one slot of the fleet-wide semaphore NAME. */
  readonly acquire?: string | undefined;
  /** `--release NAME`: give back the slots this identity holds. */
  readonly release?: string | undefined;
  /** `--status NAME`: print the holders and waiters. */
  readonly status?: string | undefined;
  /** `-n N`: the semaphore's slots (default 1). */
  readonly slots: number;
  /** `--ttl D`: how long a slot outlives the holder's last heartbeat (ms); default the config's `semaphore_ttl`. */
  readonly ttlMs?: number | undefined;
  /** Payload words (sending) or the script and its arguments (receiving). */
  readonly args: readonly string[];
}

/** The default config file. */
const DEFAULT_CONFIG_FILE = "/etc/remaphore/remaphore.conf";

const BOOLEAN = new Map<string, keyof Flags>([
  ["s", "send"],
  ["r", "request"],
  ["o", "once"],
  ["d", "noDestination"],
  ["C", "printConfig"],
  ["h", "help"],
  ["help", "help"],
  ["version", "version"],
  ["q", "quiet"],
]);
const STRING = new Map<string, keyof Flags>([
  ["D", "destination"],
  ["p", "publicKey"],
  ["u", "uuid"],
  ["v", "verbs"],
  ["t", "timeoutMs"],
  ["S", "subjectSuffix"],
  ["c", "configFile"],
  ["j", "jobs"],
  ["keep", "keepMs"],
  ["since", "sinceMs"],
  ["acquire", "acquire"],
  ["release", "release"],
  ["status", "status"],
  ["n", "slots"],
  ["ttl", "ttlMs"],
]);

/** A semaphore name: letters, digits, `-` and `_`, in dot-separated segments (a key in the bucket). */
const SEMAPHORE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** A command line that cannot be run; exit code 2. */
export class UsageError extends Error {
  readonly code = "usage";
  /** Whether the usage text follows the message (it does for flag syntax errors). */
  readonly showUsage: boolean;

  constructor(message: string, options: { readonly showUsage?: boolean } = {}) {
    super(message);
    this.name = "UsageError";
    this.showUsage = options.showUsage ?? true;
  }
}

/** Flags whose empty value means "not given" in the original (`-u ""` is no uuid, and so on). */
const EMPTY_IS_UNSET = new Set<keyof Flags>(["destination", "publicKey", "uuid", "subjectSuffix"]);

/** A positive duration flag (`--keep`, `--since`, `--ttl`) in milliseconds. */
function parsePositiveDuration(name: string, value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined || ms <= 0) throw new UsageError(`invalid value "${value}" for flag -${name}: a duration above zero (500ms, 1h)`);
  return ms;
}

/** `-v a, b,,c` → `["a", "b", "c"]`; undefined when no verb is left. */
function parseVerbs(value: string): string[] | undefined {
  const verbs = value
    .split(",")
    .map(trimGoSpace)
    .filter((verb) => verb !== "");
  return verbs.length > 0 ? verbs : undefined;
}

/** The base58 text of a 32-byte public key, or undefined when `text` is not one. */
function parsePublicKey(text: string): string | undefined {
  // The original decodes the text as it is: surrounding spaces make it invalid.
  if (text.trim() !== text) return undefined;
  const decoded = decodeBase58PublicKey(text);
  return decoded.ok ? encodeBase58(decoded.value) : undefined;
}

function parseBool(name: string, value: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new UsageError(`invalid boolean value "${value}" for -${name}: parse error`);
}

/**
 * Parses flags the way Go's `flag` package does: one or two dashes, `-x v` or `-x=v`, booleans
 * without a value (or `-x=false`), parsing stops at the first argument that is not a flag or
 * after `--`.
 */
export function parseFlags(argv: readonly string[]): Flags {
  const values: Record<string, unknown> = { configFile: DEFAULT_CONFIG_FILE, jobs: 1, slots: 1 };
  for (const key of BOOLEAN.values()) values[key] = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      i += 1;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    if (name === "" || name.startsWith("-")) throw new UsageError(`bad flag syntax: ${arg}`);
    const bool = BOOLEAN.get(name);
    if (bool) {
      values[bool] = inline === undefined ? true : parseBool(name, inline);
      continue;
    }
    const key = STRING.get(name);
    if (!key) throw new UsageError(`flag provided but not defined: -${name}`);
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
      value = argv[++i]!;
    }
    if (key === "timeoutMs") {
      const ms = parseGoDuration(value);
      if (ms === undefined) throw new UsageError(`invalid value "${value}" for flag -t: parse error`);
      // The original applies -t only when it is positive; -t 0 (its default) means no timeout.
      values[key] = ms > 0 ? ms : undefined;
    } else if (key === "jobs") {
      const jobs = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(jobs) || jobs < 1) throw new UsageError(`invalid value "${value}" for flag -j: a number of scripts, 1 or more`);
      values[key] = jobs;
    } else if (key === "slots") {
      const slots = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(slots) || slots < 1 || slots > 1000) throw new UsageError(`invalid value "${value}" for flag -n: a number of slots, 1 to 1000`);
      values[key] = slots;
    } else if (key === "keepMs" || key === "sinceMs" || key === "ttlMs") {
      values[key] = parsePositiveDuration(name, value);
      if (key === "ttlMs" && (values[key] as number) < 1000) throw new UsageError(`invalid value "${value}" for flag -ttl: 1s or more`);
    } else if (key === "acquire" || key === "release" || key === "status") {
      if (!SEMAPHORE_NAME.test(value) || value.length > 128) throw new UsageError(`invalid semaphore name "${value}" for flag -${name}: letters, digits, "-" and "_", in dot-separated parts`);
      values[key] = value;
    } else if (key === "verbs") {
      values[key] = parseVerbs(value);
    } else {
      values[key] = value === "" && EMPTY_IS_UNSET.has(key) ? undefined : value;
    }
  }
  const flags = { ...values, args: argv.slice(i) } as unknown as Flags;
  // As in the original: -C prints its example whatever else is given, and these two refusals come
  // without the usage text.
  if (!flags.printConfig && !flags.help && !flags.version) {
    if (flags.send && flags.request) throw new UsageError("-r and -s are mutually exclusive", { showUsage: false });
    if (flags.noDestination && flags.destination !== undefined) throw new UsageError("-d and -D are mutually exclusive", { showUsage: false });
    const semaphore = [flags.acquire, flags.release, flags.status].filter((name) => name !== undefined).length;
    if (semaphore > 1) throw new UsageError("--acquire, --release and --status are mutually exclusive", { showUsage: false });
    if (semaphore > 0 && (flags.send || flags.request)) throw new UsageError("--acquire, --release and --status cannot be combined with -s or -r", { showUsage: false });
    if (flags.keepMs !== undefined && !flags.send) throw new UsageError("--keep goes with -s", { showUsage: false });
    if (flags.sinceMs !== undefined && (flags.send || flags.request)) throw new UsageError("--since is for receiving", { showUsage: false });
  }
  if (flags.publicKey !== undefined && !flags.printConfig && !flags.help && !flags.version) {
    const publicKey = parsePublicKey(flags.publicKey);
    if (publicKey === undefined) throw new UsageError("ERROR: Given public key does not parse", { showUsage: false });
    return { ...flags, publicKey };
  }
  return flags;
}

/** The usage text `-h` and usage errors print. */
export const USAGE = `Usage:
  remaphore -s [options] [payload...]     send a message and exit
  remaphore -r [options] [payload...]     send a request and print the replies
  remaphore [options] [script [args...]]  receive messages (and run script verb payload for each)
  remaphore -C                            print an example config with a new identity

Options:
  -s           send the message and exit (cannot be combined with -r)
  -r           send a request and print the replies of every peer the destination matches
  -c file      config file (default ${DEFAULT_CONFIG_FILE})
  -D pattern   sending: destination pattern (default "**"); receiving: accept only this exact pattern
  -d           receiving: do not filter by destination (cannot be combined with -D)
  -p key       sending: identity (base58 public key) to send with; receiving: accept only this sender
  -u value     message id: sent with the message; receiving: wait for this id (implies -o)
  -v verbs     sending: the verb (default "ping"); receiving: accept only these verbs (comma-separated)
  -o           receiving: exit after the first matching message
  -t duration  stop after this long (Go syntax: 500ms, 1h2m3s; 0 or less: no timeout); scripts
               still running are killed
  -S suffix    use subject <subject>.<suffix> instead of <subject>.all
  --keep D     sending (-s): also keep the message in NATS JetStream for D (1h, 30m), so that
               receivers started later with --since still get it
  --since D    receiving: first act on messages kept in the last D (default: the config's
               since), then go on live; each message runs the script once, across restarts
  --acquire NAME [-n N] [--ttl D] [-t D] [--] command [args...]
               run the command (directly, no shell) while holding one of N (default 1) slots of
               the fleet-wide semaphore NAME; waiters get slots first come, first served; exits
               with the command's exit code, 1 when -t passed before a slot was free. Without a
               command: take a slot, print its id and exit (it lasts --ttl, or until --release)
  --release NAME
               give back the slots of NAME this identity holds (-u id: only that one)
  --status NAME
               print the holders and waiters of NAME
  -j N         receiving: run up to N scripts at the same time (default 1: one at a time);
               scripts always start in the order their messages arrived
  -q           quiet: no log lines on stderr (Ready, Incoming message, Exec, Message error)
  -C           print an example config with a freshly generated identity
  -h, --help   show this help
  --version    show the version

A script is run directly, never through a shell, as: script [args...] <verb> <payload>, with only
REMAPHORE_SENDER, REMAPHORE_VERB, REMAPHORE_TIME, REMAPHORE_UUID, REMAPHORE_MSG and (when the
destination matched) REMAPHORE_DESTMATCH in its environment. Its combined output answers requests.

Exit codes: 0 message received / replies printed / message sent; 1 timeout with nothing received;
2 usage or configuration error; 3 runtime error. A receiver logs as the original does on stderr;
set REMAPHORE_LOG=debug to see why each message was ignored, or -q for silence.
`;
