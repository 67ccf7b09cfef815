// The floor of any relay that forwards, in its own process like the relay: a bare fastify route
// that reads the request body as bytes, wraps it into a one-item envelope under a fresh event id
// (string concatenation, no parsing), sends it to the upstream given as the first argument over
// keep-alive connections (undici's dispatcher, the way the relay sends) and answers `{}` once the
// upstream answered. No spool, no processing, no signing, no compression. Prints its URL.
import { randomUUID } from "node:crypto";
import Fastify from "fastify";
import { Agent } from "undici";

const upstream = new URL(process.argv[2] ?? "");
const key = process.argv[3] ?? "";
const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
const headers = { "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7, sentry_client=bare-forward/1`, "content-type": "application/x-sentry-envelope" };

/** Sends an envelope and resolves with the answer's status once it has been read. */
function send(body) {
  return new Promise((resolve, reject) => {
    let status = 0;
    dispatcher.dispatch(
      { origin: upstream.origin, path: "/api/1/envelope/", method: "POST", headers, body },
      {
        onRequestStart() {
          // Nothing to keep: the request cannot be aborted.
        },
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData() {
          // The answer's body is not needed, only its status.
        },
        onResponseEnd() {
          resolve(status);
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      },
    );
  });
}

const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => {
  done(null, body);
});
app.post("/api/:project/:endpoint/", async (request, reply) => {
  const head = `{"event_id":"${randomUUID().replaceAll("-", "")}"}\n{"type":"event","length":${request.body.length}}\n`;
  const status = await send(Buffer.concat([Buffer.from(head), request.body]));
  return status === 200 ? {} : reply.code(502).send({ detail: `the upstream answered ${status}` });
});
await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);
process.on("SIGTERM", () => void app.close().then(() => dispatcher.close()).then(() => process.exit(0)));
