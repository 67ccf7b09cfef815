import { parentPort, workerData } from "node:worker_threads";
import { SpoolFullError } from "./spool.js";
import { openSqliteSpool, type SqliteSpool, type SqliteSpoolOptions } from "./sqlite-spool.js";
import type { EnqueueResult, SpoolRequest, SpoolResponse } from "./worker-spool.js";

/** The worker side of {@link openWorkerSpool}: hosts a SQLite spool and answers its calls. */
const port = parentPort;
if (port) {
  let spool: SqliteSpool | undefined;
  const send = (message: SpoolResponse): void => {
    port.postMessage(message);
  };
  try {
    spool = openSqliteSpool({
      ...(workerData as Omit<SqliteSpoolOptions, "now" | "onExpired">),
      onExpired: (envelopes) => {
        send({ kind: "expired", envelopes: [...envelopes] });
      },
    });
    send({ kind: "ready", stats: spool.stats() });
  } catch (error) {
    send({ kind: "failed", message: (error as Error).message });
  }
  port.on("message", (request: SpoolRequest) => {
    const opened = spool;
    if (!opened) return;
    const answer = (call: Promise<unknown>): void => {
      call.then(
        (value) => {
          send({ kind: "result", id: request.id, value, stats: opened.stats() });
        },
        (error: unknown) => {
          send({
            kind: "error",
            id: request.id,
            full: error instanceof SpoolFullError,
            message: (error as Error).message,
            stats: opened.stats(),
          });
        },
      );
    };
    try {
      switch (request.op) {
        case "enqueue":
          // One answer per envelope: a full spool refuses some of a batch, not all of it.
          answer(
            Promise.all(
              request.envelopes.map((envelope) =>
                (request.hold === true ? opened.enqueueHeld(envelope) : opened.enqueue(envelope)).then(
                  (held): EnqueueResult => (typeof held === "number" ? { held } : null),
                  (error: unknown): EnqueueResult => ({ full: error instanceof SpoolFullError, message: (error as Error).message }),
                ),
              ),
            ),
          );
          break;
        case "claim":
          answer(opened.claim(request.max));
          break;
        case "ack":
          answer(opened.ack(request.handles));
          break;
        case "retry":
          answer(opened.retry(request.handles, request.delayMs));
          break;
        case "close":
          // The answer must leave before the port closes.
          void opened.close().then(() => {
            send({ kind: "result", id: request.id, value: undefined, stats: opened.stats() });
            port.close();
          });
          break;
      }
    } catch (error) {
      answer(Promise.reject(error instanceof Error ? error : new Error(String(error))));
    }
  });
}
