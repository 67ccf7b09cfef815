// Summarises .cpuprofile files (as `node --cpu-prof` writes them, one per thread): self time by
// function and by file, the heaviest first, so that a profile can be read without a browser.
//
//   node bench/profile-summary.js <file-or-folder>... [--top=25] [--by=function|file]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";

const args = process.argv.slice(2);
const option = (name, fallback) => args.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const top = Number(option("top", 25));
const paths = args.filter((arg) => !arg.startsWith("--"));
const files = paths.flatMap((path) => (statSync(path).isDirectory() ? readdirSync(path).filter((name) => name.endsWith(".cpuprofile")).map((name) => join(path, name)) : [path]));

/** Shortens a script URL to its package and file. */
function where(url) {
  if (!url) return "(native)";
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("node_modules/");
  if (modules >= 0) return path.slice(modules + "node_modules/".length).replace(/^\.pnpm\/[^/]+\/node_modules\//, "");
  const packages = /\/(packages|apps)\/(.*)$/.exec(path);
  return packages ? `${packages[1]}/${packages[2]}` : path;
}

for (const file of files.sort()) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  // Self time per node: the sampling intervals attributed to it.
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byFile = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    if (functionName === "(idle)") {
      idle += micros;
      continue;
    }
    total += micros;
    const key = `${functionName || "(anonymous)"} ${where(url)}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    byFile.set(where(url), (byFile.get(where(url)) ?? 0) + micros);
  }
  const rows = [...(option("by", "function") === "file" ? byFile : byFunction)].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`\n${basename(file)}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle`);
  for (const [key, micros] of rows) console.log(`${((100 * micros) / total).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(1).padStart(8)} ms  ${key}`);
}
