#!/usr/bin/env node
// dist/remaphore.js is the command bundled into one file (see the build script): a short-lived
// `remaphore -s` starts faster without resolving a tree of modules.
import { main } from "../dist/remaphore.js";
const code = await main(process.argv.slice(2));
// A NATS connection still retrying must not keep the process alive: exit once output is flushed.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
