import type { ActiveLimit } from "@org/protocol/rate-limits";
import type { ReadinessReport } from "../health/readiness.js";
import type { Outcome } from "../outcomes.js";
import type { ProjectState } from "../projects/project-state.js";

/** Messages of an ingest worker to the primary process, over the IPC channel of `node:cluster`. */
export type WorkerMessage =
  /** Envelopes were spooled: the primary's pipeline looks at the spool now instead of at its next poll. */
  | { readonly relay: "accepted" }
  /** Outcomes of data refused at the door (rate limits, invalid envelopes), for the primary's aggregator. */
  | { readonly relay: "outcomes"; readonly outcomes: readonly Outcome[] }
  /** The state of a project, for a key. */
  | { readonly relay: "project"; readonly id: number; readonly projectId: string; readonly publicKey: string }
  /** The project of a key as the primary knows it now (downstream relays). */
  | { readonly relay: "peek"; readonly id: number; readonly publicKey: string }
  /** The worker listens (on the port the primary holds for all of them), and on the TLS port when there is one. */
  | { readonly relay: "listening"; readonly port: number; readonly tlsPort?: number | undefined }
  /** The worker could not start (port taken, spool unreadable): the message says why. */
  | { readonly relay: "failed"; readonly message: string };

/** What the primary answers to `project` and `peek`: a state, `null` (unknown key), or that it cannot be known now. */
export type ProjectAnswer =
  | { readonly relay: "project"; readonly id: number; readonly state: ProjectState | null; readonly unavailable?: undefined }
  | { readonly relay: "project"; readonly id: number; readonly state?: undefined; readonly unavailable: string }
  | { readonly relay: "peek"; readonly id: number; readonly state: ProjectState | null | undefined };

/** Messages of the primary process to its ingest workers. */
export type PrimaryMessage =
  | ProjectAnswer
  /** Limits the upstream imposed, for every worker's rate-limit cache. */
  | { readonly relay: "rate_limits"; readonly projectId: string; readonly publicKey: string; readonly limits: readonly ActiveLimit[] }
  | { readonly relay: "organization"; readonly projectId: string; readonly organizationId: string }
  /** Whether the relay as a whole (registration, spool, the set of workers) is ready. */
  | { readonly relay: "readiness"; readonly report: ReadinessReport }
  /** Stop accepting, finish the requests in flight within `timeoutMs`, then exit. */
  | { readonly relay: "stop"; readonly timeoutMs: number };

/** One end of an IPC channel: `process` in a worker, a `cluster.Worker` in the primary. */
export interface IpcChannel<Out, In> {
  send(message: Out): unknown;
  /** `false` once the channel is closed (a worker's `process.connected`); absent means open. */
  readonly connected?: boolean;
  /** The primary's view of a worker: `false` once its channel is closed. */
  isConnected?(): boolean;
  on(event: "message", listener: (message: In) => void): unknown;
}

/** Whether `value` is a message of the relay's own (IPC channels carry others, prom-client's say). */
export function isRelayMessage(value: unknown): value is { readonly relay: string } {
  return typeof value === "object" && value !== null && typeof (value as { relay?: unknown }).relay === "string";
}
