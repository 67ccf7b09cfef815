// A fake upstream in its own process, so that the relay under test has its event loop to itself.
// Answers IPC messages: "ids" → the event ids received so far; "close" → exits.
import { startFakeUpstream } from "@org/testkit";

const upstream = await startFakeUpstream({ idsOnly: true, projectConfigs: JSON.parse(process.argv[2] ?? "{}") });
process.send({ url: upstream.url });
process.on("message", async (message) => {
  if (message === "count") process.send({ count: upstream.eventIds.length });
  if (message === "ids") process.send({ ids: upstream.eventIds });
  if (message === "close") {
    await upstream.close();
    process.exit(0);
  }
});
