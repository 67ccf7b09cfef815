import type { ReadinessReport } from "../health/readiness.js";
import type { OutcomeSink, Outcome } from "../outcomes.js";
import { ProjectStateUnavailable, type ProjectState, type ProjectStates } from "../projects/project-state.js";
import { RateLimitCache } from "../upstream/rate-limit-cache.js";
import { isRelayMessage, type IpcChannel, type PrimaryMessage, type ProjectAnswer, type WorkerMessage } from "./cluster-messages.js";

/** Options of {@link linkToPrimary}. */
export interface WorkerLinkOptions {
  /** How long a project state from the primary is used before it is asked again, in milliseconds. */
  readonly projectCacheMs: number;
  /** Clock in milliseconds since the epoch. */
  readonly now?: (() => number) | undefined;
}

/** An ingest worker's view of the primary process. */
export interface WorkerLink {
  /** Project states as the primary knows them (it alone fetches them upstream), cached briefly. */
  readonly projects: ProjectStates;
  /** Sends outcomes to the primary, a batch per turn of the event loop. */
  readonly outcomes: OutcomeSink;
  /** The upstream's rate limits, as the primary learns them. */
  readonly rateLimits: RateLimitCache;
  /** Tells the primary that envelopes were spooled (one message per turn at most). */
  accepted(): void;
  /** The primary's last word on the readiness of the whole relay. */
  readiness(): ReadinessReport;
  /** Called once when the primary asks this worker to stop. */
  onStop(listener: (timeoutMs: number) => void): void;
}

/**
 * The worker side of a relay running as several processes: everything an ingest worker needs from
 * the primary, over the IPC channel of `node:cluster`. The primary alone registers upstream, fetches
 * project configs, learns rate limits and reports outcomes; workers ask it and are told.
 */
export function linkToPrimary(channel: IpcChannel<WorkerMessage, unknown>, options: WorkerLinkOptions): WorkerLink {
  const now = options.now ?? Date.now;
  const rateLimits = new RateLimitCache(now);
  let report: ReadinessReport = { ready: false, reasons: ["waiting for the primary process"] };
  let stopListener: ((timeoutMs: number) => void) | undefined;
  let stopAsked: number | undefined;
  let nextId = 1;
  const waiting = new Map<number, (answer: ProjectAnswer) => void>();
  const ask = <T extends ProjectAnswer>(message: WorkerMessage & { id: number }): Promise<T> =>
    new Promise<T>((resolve) => {
      if (channel.connected === false) {
        resolve({ relay: message.relay, id: message.id, unavailable: "the primary process is gone", state: undefined } as unknown as T);
        return;
      }
      waiting.set(message.id, resolve as (answer: ProjectAnswer) => void);
      channel.send(message);
    });

  channel.on("message", (message) => {
    if (!isRelayMessage(message)) return;
    const known = message as PrimaryMessage;
    switch (known.relay) {
      case "project":
      case "peek": {
        const resolve = waiting.get(known.id);
        waiting.delete(known.id);
        resolve?.(known);
        return;
      }
      case "rate_limits":
        rateLimits.record(known.projectId, known.publicKey, known.limits);
        return;
      case "organization":
        rateLimits.noteOrganization(known.projectId, known.organizationId);
        return;
      case "readiness":
        report = known.report;
        return;
      case "stop":
        if (stopAsked !== undefined) return;
        stopAsked = known.timeoutMs;
        stopListener?.(known.timeoutMs);
        return;
    }
  });

  // Answers for a (project, key), shared by the requests that arrive while it is asked.
  const cache = new Map<string, { at: number; answer: Promise<ProjectState | undefined> }>();
  const peeked = new Map<string, { at: number; state: ProjectState | null }>();
  const projects: ProjectStates = {
    get(projectId, publicKey) {
      const key = `${projectId}:${publicKey}`;
      const cached = cache.get(key);
      if (cached && now() - cached.at < options.projectCacheMs) return cached.answer;
      const answer = ask<Extract<ProjectAnswer, { relay: "project" }>>({ relay: "project", id: nextId++, projectId, publicKey }).then((reply) => {
        if (reply.unavailable !== undefined) {
          cache.delete(key);
          throw new ProjectStateUnavailable(reply.unavailable);
        }
        return reply.state ?? undefined;
      });
      cache.set(key, { at: now(), answer });
      // Bounded: made-up keys must not grow it.
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      return answer;
    },
    peekByKey(publicKey) {
      const cached = peeked.get(publicKey);
      if (cached && now() - cached.at < options.projectCacheMs) return cached.state;
      void ask<Extract<ProjectAnswer, { relay: "peek" }>>({ relay: "peek", id: nextId++, publicKey }).then((reply) => {
        if (reply.state !== undefined) peeked.set(publicKey, { at: now(), state: reply.state });
        if (peeked.size > 10_000) peeked.delete(peeked.keys().next().value!);
      });
      // Not known here yet: the downstream relay is told `pending` and asks again.
      return cached?.state;
    },
    close() {
      cache.clear();
      peeked.clear();
    },
  };

  let outcomes: Outcome[] = [];
  let nudge = false;
  const flush = (): void => {
    // Without the primary (it is gone) there is no one to tell: what was spooled waits there for the next start.
    if (channel.connected !== false) {
      if (nudge) channel.send({ relay: "accepted" });
      if (outcomes.length > 0) channel.send({ relay: "outcomes", outcomes });
    }
    nudge = false;
    outcomes = [];
  };
  const schedule = (): void => {
    if (!nudge && outcomes.length === 0) setImmediate(flush);
  };

  return {
    projects,
    rateLimits,
    outcomes: {
      record(outcome) {
        schedule();
        outcomes.push(outcome);
      },
    },
    accepted() {
      schedule();
      nudge = true;
    },
    readiness: () => report,
    onStop(listener) {
      stopListener = listener;
      if (stopAsked !== undefined) listener(stopAsked);
    },
  };
}
