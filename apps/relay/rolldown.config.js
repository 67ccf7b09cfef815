// The relay command as one CommonJS file (dist/relay.cjs) with its lazily loaded parts in
// dist/bundle/: Node reads a few files at start instead of some six hundred ES modules.
// relay-core starts two worker threads from files beside its code (`new URL("./spool-worker.js",
// import.meta.url)` and `./process-worker.js`); in the bundle that URL is the bundle's own, so those
// workers are bundled again as dist/spool-worker.js and dist/process-worker.js. Native modules stay
// outside (better-sqlite3, sodium-native), and pino too: its transports (pino-pretty) run in a
// worker thread that loads pino's own files.
import { defineConfig } from "rolldown";

const core = "node_modules/@org/relay-core/dist";
const external = ["better-sqlite3", "sodium-native", "pino", "pino-pretty"];

// eslint-disable-next-line no-restricted-syntax -- rolldown reads a config file's default export
export default defineConfig([
  {
    input: "dist/main.js",
    platform: "node",
    external,
    logLevel: "warn",
    output: {
      format: "cjs",
      dir: "dist",
      entryFileNames: "relay.cjs",
      chunkFileNames: "bundle/[name]-[hash].cjs",
      dynamicImportInCjs: false,
      sourcemap: true,
    },
  },
  {
    input: { "spool-worker": `${core}/spool/spool-worker.js`, "process-worker": `${core}/pipeline/process-worker.js` },
    platform: "node",
    external,
    logLevel: "warn",
    output: {
      // ES modules, as the package's .js files are.
      format: "esm",
      dir: "dist",
      entryFileNames: "[name].js",
      chunkFileNames: "bundle/worker-[name]-[hash].js",
      sourcemap: true,
    },
  },
]);
