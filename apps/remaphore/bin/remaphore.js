#!/usr/bin/env node
import { main } from "../dist/main.js";
const code = await main(process.argv.slice(2));
// A NATS connection still retrying must not keep the process alive: exit once output is flushed.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
