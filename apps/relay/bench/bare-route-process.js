// The ceiling for the command-line benchmark, in its own process like the relay: a bare fastify
// route that reads the request body as bytes (no parsing) and answers `{}`. Prints its URL.
import Fastify from "fastify";

const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => {
  done(null, body);
});
app.post("/api/:project/:endpoint/", () => ({}));
await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
