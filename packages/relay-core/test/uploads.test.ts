import { DEFAULT_LIMITS } from "../src/relay-options.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnvelope } from "@org/protocol/envelope";
import { startHarness, type Harness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = `sentry_key=${KEY}&sentry_version=7`;
const MINIDUMP = Buffer.concat([Buffer.from("MDMP"), Buffer.alloc(60, 7)]);

function multipart(parts: { name: string; filename?: string; type?: string; data: Buffer | string }[]): { body: Buffer; contentType: string } {
  const boundary = "----relaytestboundary";
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ""}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ""}\r\n`));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe("minidump and attachment uploads", () => {
  let relay: Harness;
  beforeAll(() => {
    relay = startHarness({ limits: { ...DEFAULT_LIMITS, maxEventSize: 1024 * 1024, maxEnvelopeSize: 4096, maxAttachmentSize: 1024, maxSessionsPerEnvelope: 100, maxApiPayloadSize: 4096 } });
  });
  afterAll(async () => {
    await relay.close();
  });

  async function captured(id: string): Promise<{ headers: Record<string, unknown>; payload: Buffer }[]> {
    await relay.drain();
    const entry = relay.store.get(id);
    if (!entry) throw new Error(`nothing captured for ${id}`);
    const envelope = parseEnvelope(entry.envelope);
    if (!envelope.ok) throw envelope.error;
    return envelope.value.items.map((item) => ({ headers: item.headers, payload: Buffer.from(item.payload) }));
  }

  it("takes a multipart minidump with extra files and event fields, answering a dashed UUID", async () => {
    const form = multipart([
      { name: "upload_file_minidump", filename: "crash.dmp", type: "application/octet-stream", data: MINIDUMP },
      { name: "log", filename: "app.log", type: "text/plain", data: "last words" },
      { name: "sentry[release]", data: "app@2.0" },
    ]);
    const response = await relay.app.inject({ method: "POST", url: `/api/1/minidump/?${AUTH}`, headers: { "content-type": form.contentType }, payload: form.body });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toContain("text/plain");
    expect(response.body).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const items = await captured(response.body.replaceAll("-", ""));
    expect(items.map((item) => [item.headers.type, item.headers.attachment_type ?? null])).toEqual([
      ["event", null],
      ["attachment", "event.minidump"],
      ["attachment", "event.attachment"],
    ]);
    expect(items[1]!.payload.equals(MINIDUMP)).toBe(true);
    expect(JSON.parse(items[0]!.payload.toString())).toMatchObject({ release: "app@2.0", platform: "native", level: "fatal" });
  });

  it("takes a raw minidump body", async () => {
    const response = await relay.app.inject({ method: "POST", url: `/api/1/minidump/?${AUTH}`, headers: { "content-type": "application/octet-stream" }, payload: MINIDUMP });
    expect(response.statusCode, response.body).toBe(200);
    const items = await captured(response.body.replaceAll("-", ""));
    expect(items[1]!.headers).toMatchObject({ type: "attachment", filename: "minidump.dmp", attachment_type: "event.minidump" });
  });

  it.for<[string, { body: Buffer; contentType: string }, number, RegExp]>([
    ["a form without the minidump", multipart([{ name: "other", filename: "x", data: "MDMP" }]), 400, /missing minidump/],
    ["a file that is not a minidump", multipart([{ name: "upload_file_minidump", filename: "x", data: "not a dump" }]), 400, /invalid minidump/],
    ["a file over the attachment limit", multipart([{ name: "upload_file_minidump", filename: "x", data: Buffer.concat([MINIDUMP, Buffer.alloc(2000)]) }]), 413, /exceeds 1024 bytes/],
  ])("refuses %s", async ([_name, form, status, pattern]) => {
    const response = await relay.app.inject({ method: "POST", url: `/api/1/minidump/?${AUTH}`, headers: { "content-type": form.contentType }, payload: form.body });
    expect(response.statusCode).toBe(status);
    expect(response.body).toMatch(pattern);
  });

  it("takes attachments for an event with 201", async () => {
    const eventId = "9ec79c33ec9942ab8353589fcb2e04dc";
    const form = multipart([{ name: "screenshot", filename: "shot.png", type: "image/png", data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }]);
    const response = await relay.app.inject({
      method: "POST",
      url: `/api/1/events/${eventId}/attachments/?${AUTH}`,
      headers: { "content-type": form.contentType },
      payload: form.body,
    });
    expect(response.statusCode, response.body).toBe(201);
    const items = await captured(eventId);
    expect(items).toHaveLength(1);
    expect(items[0]!.headers).toMatchObject({ type: "attachment", filename: "shot.png", content_type: "image/png", attachment_type: "event.attachment" });
  });
});
