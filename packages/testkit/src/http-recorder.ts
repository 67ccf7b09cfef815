import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { DEADLINE_MS } from "./wait.js";

/** One request the recorder received. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent. */
  readonly raw: Buffer;
  /** The body with a gzip Content-Encoding undone. */
  readonly body: Buffer;
}

/** Decides the answer to a request; the default answers 200 `{"id": ...}`. */
export type Responder = (request: RecordedRequest, response: ServerResponse) => void;

/** An HTTP server on 127.0.0.1 that records every request. */
export interface HttpRecorder {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Changes how the following requests are answered. */
  respond(responder: Responder): void;
  /** Resolves once `count` requests were recorded (or rejects after `timeoutMs`, {@link DEADLINE_MS} by default). */
  waitFor(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** A responder that never answers (a hanging upstream). */
export const hang: Responder = () => undefined;

/** Starts an {@link HttpRecorder}. */
export async function startHttpRecorder(): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = [];
  let responder: Responder = (_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end('{"id":"00000000000000000000000000000000"}');
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, raw, body };
      requests.push(recorded);
      responder(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond(next) {
      responder = next;
    },
    async waitFor(count, timeoutMs = DEADLINE_MS) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} requests, got ${requests.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return requests;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => {
        resolve();
      }));
    },
  };
}
