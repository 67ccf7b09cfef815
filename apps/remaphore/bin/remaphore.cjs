#!/usr/bin/env node
// dist/remaphore.cjs is the command bundled as CommonJS (see the build script): a short-lived
// `remaphore -s` starts without Node's ES module loader and without resolving a tree of modules.
const { main } = require("../dist/remaphore.cjs");
void main(process.argv.slice(2)).then((code) => {
  // A NATS connection still retrying must not keep the process alive: exit once output is flushed.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
});
