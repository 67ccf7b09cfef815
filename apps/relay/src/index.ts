export { main } from "./main.js";
export { startRelay } from "./run-relay.js";
export type { CommandIo, RunningRelay } from "./run-relay.js";
export { loadConfig, resolveConfigDir, DEFAULT_CONFIG_DIR, LEGACY_CONFIG_DIR } from "./load-config.js";
export type { LoadedConfig } from "./load-config.js";
export { configSchema } from "./config-schema.js";
export type { RawRelayConfig } from "./config-schema.js";
