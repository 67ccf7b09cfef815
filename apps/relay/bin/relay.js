#!/usr/bin/env node
// The relay command, bundled into one CommonJS file (see rolldown.config.js).
import { createRequire } from "node:module";
const { main } = createRequire(import.meta.url)("../dist/relay.cjs");
process.exitCode = await main(process.argv.slice(2));
