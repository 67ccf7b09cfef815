import { spawn } from "node:child_process";
import { constants } from "node:os";
import { performance } from "node:perf_hooks";
import { connectRemaphore } from "@org/messaging";
import { openSemaphore, type Semaphore, type SemaphoreRecord } from "@org/messaging/jetstream";
import type { Log } from "./log.js";
import type { CommandContext, Io } from "./main.js";

const EXIT_OK = 0;
const EXIT_TIMEOUT = 1;
const EXIT_RUNTIME = 3;
/** More slots than -n accepts: no limit of our own. */
const NO_LIMIT = 1001;

/** How a record's holder is named in logs and `--status`: its peer destination and key. */
function holderName(record: SemaphoreRecord): string {
  return `${record.peer.destination} ${record.peer.publicKeyText}`;
}

/** Runs `command` directly (no shell), its stdio the terminal's; resolves to its exit code (128 + signal when killed). */
function runCommand(command: readonly string[], onStarted: (stop: (signal: NodeJS.Signals) => void) => void, log: Log): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: "inherit" });
    child.once("error", (error) => {
      log.info(`ERROR: ${error.message}`);
      resolve(EXIT_RUNTIME);
    });
    child.once("exit", (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
    onStarted((signal) => child.kill(signal));
  });
}

async function status(semaphore: Semaphore, name: string, io: Io): Promise<number> {
  const view = await semaphore.view();
  const now = Date.now();
  const line = (record: SemaphoreRecord): string =>
    `${record.kind} ${record.id} ${holderName(record)} signed ${Math.max(0, Math.round((now - record.signedAt) / 1000))}s ago, ttl ${record.ttlMs / 1000}s, -n ${record.slots}\n`;
  const limit = view.limit < NO_LIMIT ? ` (-n ${view.limit})` : "";
  io.out(`${name}: ${view.holders.length} held${limit}, ${view.waiters.length} waiting\n`);
  for (const record of [...view.holders, ...view.waiters]) io.out(line(record));
  return EXIT_OK;
}

/**
 * `--acquire NAME [-n N] [--ttl D] [-t D] -- command...`, `--release NAME` and `--status NAME`.
 * The command runs while we hold a slot; its exit code is ours. SIGINT and SIGTERM go on to the
 * command; once it has ended, the slot is released and we exit as it did.
 */
export async function semaphoreCommand(context: CommandContext): Promise<number> {
  const { config, flags, io, log } = context;
  const name = (flags.acquire ?? flags.release ?? flags.status)!;
  const started = performance.now();
  const deadline = flags.timeoutMs === undefined ? undefined : started + flags.timeoutMs;
  const client = await connectRemaphore(config, { connectDeadlineMs: flags.timeoutMs });
  let semaphore: Semaphore | undefined;
  try {
    semaphore = await openSemaphore(client.connection, config, {
      name,
      // --status judges the limit by the records alone.
      slots: flags.status === undefined ? flags.slots : NO_LIMIT,
      ttlMs: flags.ttlMs,
      sender: flags.publicKey,
      onLost: () => {
        log.info(`ERROR: lost the slot of ${name}: it could not be renewed within its ttl`);
      },
      onIgnored: (detail) => {
        log.debug(`ignored a record of ${name}: ${detail}`);
      },
    });
    if (flags.status !== undefined) return await status(semaphore, name, io);
    if (flags.release !== undefined) {
      const released = await semaphore.releaseOwnRecords(flags.uuid);
      log.info(`Released ${released} of ${name}`);
      return released > 0 ? EXIT_OK : EXIT_TIMEOUT;
    }
    const abort = new AbortController();
    let signalled: NodeJS.Signals | undefined;
    let stopCommand: ((signal: NodeJS.Signals) => void) | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      signalled ??= signal;
      abort.abort();
      stopCommand?.(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const outcome = await semaphore.acquire({ deadline, signal: abort.signal });
      if (!outcome.acquired) {
        if (outcome.reason === "timeout") log.info(`Timeout: no slot of ${name} within -t`);
        return signalled === undefined ? EXIT_TIMEOUT : 128 + constants.signals[signalled];
      }
      for (const { record, silentMs, sinceSignedMs } of outcome.tookExpired) {
        log.info(`Took over an expired slot of ${holderName(record)}: ttl ${record.ttlMs} ms, unchanged for ${Math.round(silentMs)} ms, signed ${sinceSignedMs} ms ago`);
      }
      log.info(`Acquired ${name} (-n ${flags.slots}) after ${Math.round(outcome.waitedMs)} ms`);
      if (flags.args.length === 0) {
        // For scripts: the slot stays until --release or its ttl.
        semaphore.detach();
        io.out(`${outcome.id}\n`);
        semaphore = undefined;
        return EXIT_OK;
      }
      const code = await runCommand(
        flags.args,
        (stop) => {
          stopCommand = stop;
        },
        log,
      );
      log.info(`Exec (${code}): '${flags.args.join(" ")}'`);
      await semaphore.release();
      log.debug(`released ${name}`);
      return signalled === undefined ? code : 128 + constants.signals[signalled];
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  } finally {
    await semaphore?.release().catch(() => undefined);
    await client.close();
  }
}
