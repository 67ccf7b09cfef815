// point (`@org/messaging/jetstream`), so that plain sending and receiving never load it.
export { ensureKeptStream, keepMessage, keptFilter, keptSubject, KEEP_HEADER, readKept } from "./kept-signals.js";
export type { KeepOptions, ReadKeptOptions, StoredMessage } from "./kept-signals.js";
export { listenWithKept } from "./kept-receive.js";
export type { KeptListener, KeptReceived, KeptReceiveOptions } from "./kept-receive.js";
export { SeenRecord } from "./seen-record.js";
