export { SpoolFullError } from "./spool/spool.js";
export type { ClaimedEnvelope, IngestContext, Spool, SpoolStats, SpooledEnvelope } from "./spool/spool.js";
export { openSqliteSpool } from "./spool/sqlite-spool.js";
export type { SqliteSpoolOptions } from "./spool/sqlite-spool.js";
