// @module-tag e2e
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRelayProcess, type RelayProcess } from "./relay-process.js";

/** The limit of every endpoint but store (which keeps its default 1 MiB): each case sends under a MB. */
const SMALL = 256 * 1024;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * POSTs `body` with a plain node:http client, without `Expect: 100-continue`, writing it a piece
 * at a time as a piped stream does, whatever the relay answers meanwhile (as most SDKs do). The
 * answer counts only when its status and whole body were read; a reset before that fails.
 */
function post(
  relay: { readonly url: string; readonly key: string },
  upload: { readonly path: string; readonly headers: Record<string, string>; readonly body: Buffer; readonly chunked?: boolean },
): Promise<Answer> {
  const { url, key } = relay;
  const { path, headers, body, chunked = false } = upload;
  const { hostname, port } = new URL(url);
  return new Promise<Answer>((resolve, reject) => {
    const outgoing = request(
      {
        host: hostname,
        port: Number(port),
        path,
        method: "POST",
        headers: { "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7`, ...headers, ...(chunked ? {} : { "content-length": String(body.length) }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") });
        });
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    void (async () => {
      for (let at = 0; at < body.length && !outgoing.destroyed; at += 16 * 1024) {
        if (!outgoing.write(body.subarray(at, at + 16 * 1024))) await new Promise((resume) => outgoing.once("drain", resume));
      }
      outgoing.end();
    })();
  });
}

function multipart(field: string, filename: string, data: Buffer): { headers: Record<string, string>; body: Buffer } {
  const boundary = "----relay-test-boundary";
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body: Buffer.concat([head, data, tail]) };
}

/** A JSON document of about `size` bytes. */
function jsonOf(size: number): Buffer {
  return Buffer.from(JSON.stringify({ message: "big", pad: "x".repeat(size) }));
}

interface Case {
  readonly name: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly chunked?: boolean;
}

const EVENT_HEAD = Buffer.from('{}\n{"type":"event"}\n');
const minidump = Buffer.concat([Buffer.from("MDMP"), randomBytes(3 * SMALL)]);
const CASES: readonly Case[] = [
  { name: "store, 3 MB against 1 MiB", path: "/api/1/store/", headers: { "content-type": "application/json" }, body: jsonOf(3_000_000) },
  { name: "store, chunked", path: "/api/1/store/", headers: { "content-type": "application/json" }, body: jsonOf(3_000_000), chunked: true },
  { name: "envelope", path: "/api/1/envelope/", headers: { "content-type": "application/x-sentry-envelope" }, body: Buffer.concat([EVENT_HEAD, jsonOf(3 * SMALL)]) },
  { name: "envelope, gzip over the limit once decoded", path: "/api/1/envelope/", headers: { "content-encoding": "gzip" }, body: gzipSync(Buffer.concat([EVENT_HEAD, jsonOf(20 * SMALL)])) },
  { name: "envelope, gzip over the limit as sent", path: "/api/1/envelope/", headers: { "content-encoding": "gzip" }, body: gzipSync(randomBytes(3 * SMALL)) },
  { name: "security report", path: "/api/1/security/", headers: { "content-type": "application/csp-report" }, body: jsonOf(3 * SMALL) },
  { name: "minidump", path: "/api/1/minidump/", headers: { "content-type": "application/octet-stream" }, body: minidump },
  { name: "minidump, multipart", path: "/api/1/minidump/", ...multipart("upload_file_minidump", "crash.dmp", minidump) },
  { name: "attachments", path: `/api/1/events/${"a".repeat(32)}/attachments/`, ...multipart("file", "big.bin", randomBytes(3 * SMALL)) },
  { name: "OTLP traces", path: "/api/1/integration/otlp/v1/traces/", headers: { "content-type": "application/json" }, body: jsonOf(3 * SMALL) },
  { name: "OTLP logs", path: "/api/1/integration/otlp/v1/logs/", headers: { "content-type": "application/x-protobuf" }, body: randomBytes(3 * SMALL) },
  { name: "NEL reports", path: "/api/1/nel/", headers: { "content-type": "application/reports+json" }, body: jsonOf(3 * SMALL) },
  { name: "cron check-in", path: "/api/1/cron/nightly/", headers: { "content-type": "application/json" }, body: jsonOf(3 * SMALL) },
];

describe("a body over its limit, sent by a client that keeps writing", () => {
  let dir: string;
  let relay: RelayProcess;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relay-oversized-"));
    mkdirSync(join(dir, ".relay"));
    const limits = ["max_envelope_size", "max_attachment_size", "max_api_payload_size", "max_container_size", "max_check_in_size"].map((name) => `  ${name}: ${SMALL}`);
    writeFileSync(join(dir, ".relay", "config.yml"), ["relay:", "  mode: capture", "limits:", ...limits, ""].join("\n"));
    relay = await startRelayProcess(dir);
    key = /http:\/\/([0-9a-f]{32})@/.exec(relay.dsn)![1]!;
  });
  afterAll(async () => {
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Valid events posted back to back by `lanes` clients until `stop` settles; resolves with their statuses. */
  async function keepBusy(lanes: number, stop: Promise<unknown>): Promise<number[]> {
    let done = false;
    void stop.finally(() => (done = true));
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (!done) statuses.push((await post({ url: relay.url, key }, { path: "/api/1/store/", headers: { "content-type": "application/json" }, body: jsonOf(2000) })).status);
      }),
    );
    return statuses;
  }

  it.each(CASES)("reads 413 and its error every time: $name, 20 times in a row beside other clients", async (each) => {
    const refusals = (async () => {
      const answers: Answer[] = [];
      for (let round = 0; round < 20; round++) answers.push(await post({ url: relay.url, key }, each));
      return answers;
    })();
    const others = await keepBusy(3, refusals.catch(() => undefined));
    const answers = await refusals;
    expect(answers).toHaveLength(20);
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      const error = JSON.parse(answer.body) as { detail: string };
      expect(error.detail).toMatch(/too large|exceeds|larger than/);
      expect(answer.headers["x-sentry-error"]).toBe(error.detail);
    }
    expect(others.length).toBeGreaterThan(0);
    expect(new Set(others)).toEqual(new Set([200]));
  });
});
