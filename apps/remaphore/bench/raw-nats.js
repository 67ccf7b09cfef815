// The baseline beside remaphore in the bench: bare nats.js, doing nothing but NATS.
//   node raw-nats.js subscribe <url> <subject> <count>   counts messages, then prints its CPU time
//   node raw-nats.js respond <url> <subject>             answers each message on <prefix>.<sha256>
//   node raw-nats.js publish <url> <subject>             publishes one message and exits
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "nats";

const [mode, url, subject, count] = process.argv.slice(2);

/** User + system CPU seconds of this process, from /proc (clock ticks of 1/100 s). */
function cpuSeconds() {
  const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /s, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const nc = await connect({ servers: url });
if (mode === "publish") {
  nc.publish(subject, new TextEncoder().encode("hi"));
  await nc.flush();
  await nc.close();
} else if (mode === "subscribe") {
  let seen = 0;
  const target = Number(count);
  const cpuBefore = cpuSeconds();
  nc.subscribe(subject, {
    callback: () => {
      seen += 1;
      if (seen === target) {
        process.stdout.write(`${JSON.stringify({ doneAt: Date.now(), cpu: cpuSeconds() - cpuBefore })}\n`);
        void nc.close().then(() => process.exit(0));
      }
    },
  });
  await nc.flush();
  process.stdout.write("ready\n");
} else if (mode === "respond") {
  const prefix = subject.slice(0, subject.lastIndexOf("."));
  const reply = new TextEncoder().encode("NO_DATA");
  nc.subscribe(subject, {
    callback: (_error, message) => {
      nc.publish(`${prefix}.${createHash("sha256").update(message.data).digest("hex")}`, reply);
    },
  });
  await nc.flush();
  process.stdout.write("ready\n");
}
