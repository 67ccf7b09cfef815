export { formatReply, main } from "./main.js";
export type { Io } from "./main.js";
export { DEFAULT_CONFIG_FILE, USAGE, UsageError, parseFlags } from "./flags.js";
export type { Flags } from "./flags.js";
export { runScript } from "./run-script.js";
export type { ScriptOptions, ScriptResult } from "./run-script.js";
