import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { generateKeyPair } from "@org/identity";
import {
  buildMessage,
  connectRemaphore,
  exampleConfig,
  loadRemaphoreConfig,
  matchDestination,
  messageUuid,
  MessagingError,
  publishOnce,
  PublishOnceUnsupported,
  publishSubject,
  renderRemaphoreConfig,
  suspectedResponders,
  type DestinationFilter,
  type Listener,
  type RemaphoreClient,
  type RemaphoreConfig,
  type Received,
  type SendOptions,
  type Reply,
  type VerifiedMessage,
} from "@org/messaging";
import { parseFlags, USAGE, UsageError, type Flags } from "./flags.js";
import { isGoSpace } from "./go-space.js";
import { JobQueue } from "./job-queue.js";
import { createLog, type Log } from "./log.js";
import { originalReason } from "./message-error.js";

/** Where the command writes. */
export interface Io {
  out(text: string | Uint8Array): void;
  err(text: string): void;
}

/** What a command runs with, once the flags and the config are read. */
export interface CommandContext {
  readonly config: RemaphoreConfig;
  readonly flags: Flags;
  readonly io: Io;
  readonly log: Log;
  readonly env: NodeJS.ProcessEnv;
}

const EXIT_OK = 0;
const EXIT_TIMEOUT = 1;
const EXIT_USAGE = 2;
const EXIT_RUNTIME = 3;

/**
 * Room kept in a reply for what is not script output: the signed framing (keys, signature, time,
 * id, verb: under 200 bytes), the exit code and the note that the output was cut.
 */
const REPLY_OVERHEAD = 512;
/** How long a sender waits for a server when no -t is given, as the original does. */
const DEFAULT_SEND_DEADLINE_MS = 10_000;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether `bytes` is one character that is white space, as the original trims it. */
function isSpaceCharacter(bytes: Uint8Array): boolean {
  try {
    return isGoSpace(strictUtf8.decode(bytes));
  } catch {
    return false;
  }
}

/** The length of the UTF-8 sequence a lead byte starts (1 for ASCII and for bytes that start none). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

/** The payload without leading and trailing white space; its other bytes are kept as they are. */
function trimSpace(payload: Uint8Array): Uint8Array {
  let start = 0;
  let end = payload.length;
  while (start < end) {
    const length = Math.min(sequenceLength(payload[start]!), end - start);
    if (!isSpaceCharacter(payload.subarray(start, start + length))) break;
    start += length;
  }
  while (end > start) {
    // Back to the lead byte of the last character (at most three continuation bytes).
    let lead = end - 1;
    while (lead > start && end - lead < 4 && (payload[lead]! & 0xc0) === 0x80) lead--;
    if (!isSpaceCharacter(payload.subarray(lead, end))) break;
    end = lead;
  }
  return payload.subarray(start, end);
}

/**
 * Prints replies as the original does: `<dest>,<payload>` with the payload's surrounding white
 * space trimmed and its bytes as they came, framed with `--> SEP`/`--< SEP` when multi-line.
 */
export function formatReply(reply: Reply, separator: string): Buffer {
  const payload = trimSpace(reply.message.payload);
  const line = Buffer.concat([Buffer.from(`${reply.destination},`), payload]);
  return payload.includes(0x0a)
    ? Buffer.concat([Buffer.from(`--> ${separator}\n`), line, Buffer.from(`\n--< ${separator}\n`)])
    : Buffer.concat([line, Buffer.from("\n")]);
}

async function connect(config: RemaphoreConfig, deadlineMs: number | undefined): Promise<RemaphoreClient> {
  return connectRemaphore(config, { connectDeadlineMs: deadlineMs });
}

/** The message a sender or requester builds from its flags; the remaining arguments are the payload. */
function outgoing(flags: Flags): SendOptions {
  return {
    destination: flags.destination ?? "**",
    verb: flags.verbs?.[0] ?? "ping",
    uuid: flags.uuid,
    payload: flags.args.join(" "),
    sender: flags.publicKey,
    subjectSuffix: flags.subjectSuffix,
  };
}

async function send(config: RemaphoreConfig, flags: Flags): Promise<number> {
  const deadlineMs = flags.timeoutMs ?? DEFAULT_SEND_DEADLINE_MS;
  if (flags.keepMs !== undefined) {
    const client = await connect(config, deadlineMs);
    try {
      const { sendKept } = await import("./kept.js");
      await sendKept(client, { ...outgoing(flags), keepMs: flags.keepMs }, { now: Date.now, random: (length) => new Uint8Array(randomBytes(length)) });
      return EXIT_OK;
    } finally {
      await client.close();
    }
  }
  if (config.credentials === undefined) {
    // A plain server: one connection and three protocol lines, without loading the NATS client.
    const message = outgoing(flags);
    const { raw } = buildMessage(config, { ...message, request: false }, { now: Date.now, random: (length) => new Uint8Array(randomBytes(length)) });
    try {
      await publishOnce(config.servers, { subject: publishSubject(config.subject, message.subjectSuffix), payload: raw }, { deadlineMs });
      return EXIT_OK;
    } catch (error) {
      if (!(error instanceof PublishOnceUnsupported)) throw error;
    }
  }
  const client = await connect(config, deadlineMs);
  try {
    await client.send(outgoing(flags));
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

async function request(context: CommandContext): Promise<number> {
  const { config, flags, io, log } = context;
  const message = outgoing(flags);
  // As in the original, a request nobody is configured to answer fails before connecting.
  if (suspectedResponders(config, message.destination ?? "**").length === 0) {
    throw new MessagingError("no_known_receivers", "no known receivers");
  }
  // -t bounds the whole request, connecting included.
  const deadline = flags.timeoutMs === undefined ? undefined : Date.now() + flags.timeoutMs;
  const client = await connect(config, flags.timeoutMs ?? DEFAULT_SEND_DEADLINE_MS);
  const separator = randomBytes(16).toString("hex");
  try {
    const result = await client.request({
      ...message,
      timeoutMs: deadline === undefined ? undefined : Math.max(1, deadline - Date.now()),
      onReply: (reply) => {
        io.out(formatReply(reply, separator));
      },
      onRejected: (rejection) => {
        log.debug(`ignored a reply: ${rejection.reason} (${rejection.detail})`);
      },
    });
    return result.replies.length > 0 ? EXIT_OK : EXIT_TIMEOUT;
  } finally {
    await client.close();
  }
}

function scriptEnvironment(message: VerifiedMessage, destinationMatch: string | undefined): Record<string, string> {
  const env: Record<string, string> = {
    REMAPHORE_SENDER: message.senderText,
    REMAPHORE_VERB: message.verb,
    REMAPHORE_TIME: String(message.time / 1_000_000_000n),
    REMAPHORE_UUID: Buffer.from(message.uuid).toString("hex"),
    REMAPHORE_MSG: Buffer.from(message.payload).toString("utf8"),
  };
  if (destinationMatch !== undefined) env.REMAPHORE_DESTMATCH = destinationMatch;
  return env;
}

/** Exit codes of a receiver stopped by a signal: 128 + the signal's number, as a shell reports it. */
const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: 130, SIGTERM: 143 };

async function receive(context: CommandContext): Promise<number> {
  const { config, flags, log, env } = context;
  const started = Date.now();
  const deadline = flags.timeoutMs === undefined ? undefined : started + flags.timeoutMs;
  let client: RemaphoreClient;
  try {
    client = await connect(config, flags.timeoutMs);
  } catch (error) {
    // A receiver that never reached a server simply saw nothing before its timeout.
    if (error instanceof MessagingError && error.code === "timeout") return EXIT_TIMEOUT;
    throw error;
  }
  const verbs = flags.verbs;
  const uuidBytes = flags.uuid === undefined ? undefined : messageUuid(flags.uuid, () => new Uint8Array(12));
  const uuid = uuidBytes === undefined ? undefined : Buffer.from(uuidBytes).toString("hex");
  const sinceMs = flags.sinceMs ?? (config.jetstream.sinceMs > 0 ? config.jetstream.sinceMs : undefined);
  // Kept messages come back after a restart: what was acted on is recorded on disk.
  const kept = sinceMs === undefined ? undefined : await import("./kept.js");
  const once = flags.once || flags.uuid !== undefined;
  const filter: DestinationFilter = flags.noDestination
    ? { kind: "none" }
    : flags.destination !== undefined
      ? { kind: "exact", pattern: flags.destination }
      : { kind: "match", destination: config.destination };
  const seen = kept?.openSeenRecord(config, { subjectSuffix: flags.subjectSuffix, filter, sender: flags.publicKey, verbs, uuid, args: flags.args }, { env, now: Date.now() });
  // The reply must fit in the server's max_payload with its framing and a note that it was cut.
  const maxOutput = Math.max(0, client.maxPayload - REPLY_OVERHEAD);
  // Loaded only by a receiver with a script: `-s` never pays for starting processes.
  const scripts = flags.args.length > 0 ? import("./run-script.js") : undefined;
  const queue = new JobQueue(flags.jobs);
  const kill = new AbortController();
  let matched = 0;
  let signalled: number | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const handle = async (message: VerifiedMessage): Promise<void> => {
    let reply: string | Uint8Array;
    if (scripts !== undefined) {
      const { runScript, scriptReply } = await scripts;
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      // Whatever the filter, scripts learn the local destination when the message's pattern matches it.
      const destinationMatch = matchDestination(config.destination, message.destination) ? config.destination : undefined;
      const command = [...flags.args, message.verb, Buffer.from(message.payload).toString("utf8")];
      const result = await runScript(command, {
        env: scriptEnvironment(message, destinationMatch),
        timeoutMs: remaining,
        maxOutputBytes: maxOutput,
        signal: kill.signal,
      });
      log.info(`Exec (${result.exitCode}): '${command.join(" ")}'`);
      if (result.error !== undefined) log.info(`ERROR: ${result.error}`);
      // The script's output goes back byte for byte, whatever its encoding.
      reply = scriptReply(result, maxOutput);
      log.debug(`script exited with ${result.exitCode}`);
    } else {
      reply = "NO_DATA";
    }
    if (message.request) {
      await client.reply(message, reply, { flush: false }).catch((error: unknown) => {
        log.info(`Reply error: ${(error as Error).message}`);
      });
    }
  };

  const onReceived = (item: Received): void => {
    if (!item.accepted) {
      const { rejection } = item;
      const original = originalReason(rejection.reason);
      if (original !== undefined) log.info(`Message error: ${original}`);
      log.debug(`ignored a message${rejection.senderText === undefined ? "" : ` from ${rejection.senderText}`}: ${rejection.reason} (${rejection.detail})`);
      return;
    }
    const message = item.message;
    if (verbs && !verbs.includes(message.verb)) {
      log.debug(`ignored a message from ${message.senderText}: verb ${JSON.stringify(message.verb)} not in -v`);
      return;
    }
    if (uuid !== undefined && Buffer.from(message.uuid).toString("hex") !== uuid) {
      log.debug(`ignored a message from ${message.senderText}: uuid does not match -u`);
      return;
    }
    if (seen?.has(message.signature)) {
      log.debug(`ignored a message from ${message.senderText}: this receiver already acted on it (${seen.path})`);
      return;
    }
    if (once && matched > 0) return;
    // Recorded until the stream can no longer hand it back.
    seen?.add(message.signature, Number(message.time / 1_000_000n) + config.jetstream.keepMaxAgeMs + 2 * config.allowSkewMs);
    matched += 1;
    log.info("Incoming message");
    if (log.level === "debug") log.debug(`queued message ${Buffer.from(message.uuid).toString("hex")} (${queue.pending} waiting before it)`);
    if (!queue.push(() => handle(message))) log.info("ERROR: too many messages waiting for their script: message dropped");
    if (once) finish();
  };

  const onSignal = (signal: "SIGINT" | "SIGTERM"): void => {
    log.debug(`${signal}: stopping, killing running scripts`);
    queue.clear();
    signalled = SIGNAL_EXIT[signal];
    kill.abort();
    finish();
  };
  const onInterrupt = (): void => {
    onSignal("SIGINT");
  };
  const onTerminate = (): void => {
    onSignal("SIGTERM");
  };
  process.once("SIGINT", onInterrupt);
  process.once("SIGTERM", onTerminate);
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(() => {
          // Messages still waiting for their turn at the deadline are not run, as in the original.
          queue.clear();
          finish();
        }, Math.max(0, deadline - Date.now()));
  let listener: Listener | undefined;
  try {
    const receiveOptions = { subjectSuffix: flags.subjectSuffix, destinationFilter: filter, sender: flags.publicKey };
    listener =
      kept === undefined || sinceMs === undefined
        ? await client.listen(receiveOptions, onReceived)
        : await kept.listenWithKept(client, { ...receiveOptions, since: Date.now() - sinceMs, uuid: uuidBytes }, onReceived);
    if ("storedRead" in listener) log.debug(`read ${String(listener.storedRead)} kept messages from the last ${String(sinceMs)} ms`);
    // listen resolves once the server has the subscription: from here no message is missed.
    log.info("Ready");
    log.debug(`listening on ${config.subject}.${flags.subjectSuffix ?? "all"}`);
    await finished;
    listener.stop();
    await queue.idle();
    if (signalled !== undefined) return signalled;
  } finally {
    clearTimeout(timer);
    listener?.stop();
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
    seen?.close();
    await client.close();
  }
  return matched > 0 ? EXIT_OK : EXIT_TIMEOUT;
}

/** Runs remaphore; resolves to its exit code. */
export async function main(
  argv: readonly string[],
  io: Io = { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`remaphore: ${error.message}\n${error.showUsage ? USAGE : ""}`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (flags.version) {
    io.out(`remaphore ${version()}\n`);
    return EXIT_OK;
  }
  if (flags.printConfig) {
    io.out(renderRemaphoreConfig(exampleConfig(generateKeyPair())));
    return EXIT_OK;
  }
  const loaded = await loadRemaphoreConfig(flags.configFile, { allowInsecurePermissions: env.REMAPHORE_ALLOW_INSECURE_CONFIG === "1" });
  if (!loaded.ok) {
    const missing = (loaded.error.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
    const hint =
      loaded.error.code === "config_insecure"
        ? " (or set REMAPHORE_ALLOW_INSECURE_CONFIG=1)"
        : missing
          ? `\nremaphore: create one with a new identity: remaphore -C > ${flags.configFile} && chmod 600 ${flags.configFile} (or pick another file with -c)`
          : "";
    io.err(`remaphore: ERROR: ${loaded.error.message}${hint}\n`);
    return EXIT_USAGE;
  }
  for (const warning of loaded.value.warnings) io.err(`remaphore: warning: ${warning}\n`);
  const config = loaded.value.config;
  const log = createLog((text) => {
    io.err(text);
  }, flags.quiet ? "quiet" : env.REMAPHORE_LOG === "debug" ? "debug" : "default");
  log.debug(`identity ${config.defaultIdentity}, destination ${config.destination}, ${config.peers.length} peers`);
  const context: CommandContext = { config, flags, io, log, env };
  try {
    if (flags.send) return await send(config, flags);
    if (flags.request) return await request(context);
    if (flags.acquire !== undefined || flags.release !== undefined || flags.status !== undefined) {
      const { semaphoreCommand } = await import("./semaphore-command.js");
      return await semaphoreCommand(context);
    }
    return await receive(context);
  } catch (error) {
    if (error instanceof Error) {
      io.err(`remaphore: ERROR: ${error.message}\n`);
      return EXIT_RUNTIME;
    }
    throw error;
  }
}
