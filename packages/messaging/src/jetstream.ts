// What remaphore does on NATS JetStream: kept signals and fleet-wide semaphores. A separate entry
// point (`@org/messaging/jetstream`), so that plain sending and receiving never load it.
export { ensureKeptStream, keepMessage, keptFilter, keptSubject, KEEP_HEADER, readKept } from "./kept-signals.js";
export type { KeepOptions, ReadKeptOptions, StoredMessage } from "./kept-signals.js";
export { listenWithKept } from "./kept-receive.js";
export type { KeptListener, KeptReceived, KeptReceiveOptions } from "./kept-receive.js";
export { SeenRecord } from "./seen-record.js";
export { KeyCas } from "./key-cas.js";
export { openSemaphore, Semaphore } from "./semaphore.js";
export type { AcquireOutcome, SemaphoreOptions } from "./semaphore.js";
export { joinRecords, recordLines, rewriteRecords, signRecord, verifyRecord, viewSemaphore } from "./semaphore-state.js";
export type { Observations, RecordKind, SemaphoreRecord, SemaphoreView, ViewContext } from "./semaphore-state.js";
