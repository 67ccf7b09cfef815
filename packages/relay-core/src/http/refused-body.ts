import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** Bytes of a refused request body the relay reads and throws away when nothing else is configured. */
export const DEFAULT_MAX_DISCARDED_BODY_BYTES = 16 * 1024 * 1024;

/** Requests sent with `Expect: 100-continue` whose body the relay has not asked for (yet). */
const awaitingContinue = new WeakSet<IncomingMessage>();

/**
 * Answers `Expect: 100-continue` only once a handler starts reading the body, instead of at once
 * as Node does by default: a request refused before that (too large by its Content-Length, bad
 * authentication) is answered without the client ever sending its body.
 */
export function continueOnRead(server: Pick<Server, "on" | "emit">): void {
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
    awaitingContinue.add(request);
    const ask = (): void => {
      request.off("resume", ask);
      request.off("newListener", onListener);
      if (!awaitingContinue.delete(request)) return;
      if (!response.headersSent && !response.writableEnded) response.writeContinue();
    };
    // Flowing reads (`data` listeners, `pipe`) resume the stream; paused reads listen for `readable`.
    const onListener = (event: string | symbol): void => {
      if (event === "readable") ask();
    };
    request.on("resume", ask);
    request.on("newListener", onListener);
    server.emit("request", request, response);
  });
}

/**
 * Reads and throws away what is left of a request body once the answer is sent without it (413,
 * an authentication error, 503): closing a connection the client is still writing to resets it,
 * and the client then often loses the answer to `EPIPE` or `ECONNRESET`. Past `maxBytes` the
 * connection is closed anyway, so that an endless body cannot hold it. Slow bodies are still ended
 * by the server's request timeout. A request whose client waits for `100 Continue` sends nothing:
 * Node closes its connection after the answer.
 */
export function discardRefusedBody(request: IncomingMessage, response: ServerResponse, maxBytes: number): void {
  if (request.complete || request.destroyed || awaitingContinue.has(request)) return;
  let discarded = 0;
  const onData = (chunk: Buffer): void => {
    discarded += chunk.length;
    if (discarded <= maxBytes) return;
    request.off("data", onData);
    request.pause();
    // Once the answer is on its way, not before: destroying the socket drops unsent bytes.
    const close = (): void => {
      request.socket.destroy();
    };
    if (response.writableFinished) close();
    else response.once("finish", close);
  };
  request.on("data", onData);
  request.resume();
}
