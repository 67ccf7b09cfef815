// A fake Sentry upstream in its own process, so that the relay under test has its cores' share to
// itself. Answers IPC messages: "count" → how many envelopes it accepted (and how many distinct
// event ids); { projectConfig: { key, config } } → serves that project; "close" → exits.
import { startFakeUpstream } from "@org/testkit";

const upstream = await startFakeUpstream({ idsOnly: true });
process.send({ url: upstream.url });
process.on("message", (message) => {
  if (message === "count") process.send({ count: upstream.eventIds.length, distinct: new Set(upstream.eventIds).size });
  if (typeof message === "object" && message.projectConfig) {
    upstream.projectConfigs.set(message.projectConfig.key, message.projectConfig.config);
    process.send({ ok: true });
  }
  if (message === "close") void upstream.close().then(() => process.exit(0));
});
