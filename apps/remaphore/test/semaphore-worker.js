// One contender of the semaphore tests: takes a slot `count` times, each time running
// `sh <check script> <lock dir>` while holding it, then releases it. Prints one JSON line.
//   node semaphore-worker.js <config> <name> <slots> <ttl ms> <count> <check script> <lock dir>
import { spawnSync } from "node:child_process";
import { connectRemaphore, loadRemaphoreConfig } from "@org/messaging";
import { openSemaphore } from "@org/messaging/jetstream";

const [configFile, name, slots, ttlMs, count, check, lockDir] = process.argv.slice(2);
const loaded = await loadRemaphoreConfig(configFile);
if (!loaded.ok) throw loaded.error;
const client = await connectRemaphore(loaded.value.config);
let acquired = 0;
let retries = 0;
while (acquired < Number(count)) {
  let semaphore;
  try {
    semaphore = await openSemaphore(client.connection, loaded.value.config, { name, slots: Number(slots), ttlMs: Number(ttlMs) });
    const outcome = await semaphore.acquire();
    if (!outcome.acquired) throw new Error(`not acquired: ${outcome.reason}`);
    const result = spawnSync("sh", [check, lockDir, slots], { stdio: "inherit" });
    if (result.status !== 0) process.stderr.write(`check exited with ${result.status}\n`);
    await semaphore.release();
    acquired += 1;
  } catch (error) {
    // The cluster is replacing a server: open the semaphore again (a slot left behind expires).
    semaphore?.detach();
    retries += 1;
    process.stderr.write(`retry: ${error.message}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
process.stdout.write(`${JSON.stringify({ acquired, retries })}\n`);
await client.close();
