import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, waitUntil, type FakeUpstream, type ReceivedEnvelope } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_DIR, startRelayProcess, type RelayProcess } from "./relay-process.js";

const KEY = "0123456789abcdef0123456789abcdef";
const EMAIL = "jane.doe@example.com";

/** A project whose advanced rules hide order ids and emails, with one broken rule among them. */
const PROJECT = {
  publicKeys: [{ publicKey: KEY, isEnabled: true }],
  config: {
    allowedDomains: ["*"],
    datascrubbingSettings: { scrubData: true, scrubDefaults: true, scrubIpAddresses: true, sensitiveFields: ["cvv"] },
    piiConfig: {
      rules: {
        order_id: { type: "pattern", pattern: "ORD-[0-9]+", redaction: { method: "replace", text: "[order]" } },
        bad_regex: { type: "pattern", pattern: "(unclosed" },
      },
      applications: {
        $string: ["order_id", "bad_regex", "@email"],
        "$attachments.'notes.txt'": ["@email:mask"],
      },
    },
  },
};

/** What a real SDK sends: an error, a log, feedback, a check-in and streamed spans (span v2). */
const SDK_SCRIPT = (dsn: string): string => `
  import * as Sentry from "@sentry/node";
  Sentry.init({ dsn: ${JSON.stringify(dsn)}, defaultIntegrations: false, enableLogs: true, tracesSampleRate: 1, sendClientReports: false });
  Sentry.setUser({ email: ${JSON.stringify(EMAIL)}, ip_address: "73.133.27.120" });
  Sentry.setExtra("password", "hunter2");
  Sentry.setExtra("note", "order ORD-12345 for ${EMAIL}");
  Sentry.setExtra("cvv", 123);
  Sentry.captureException(new Error("payment failed for ORD-777"));
  Sentry.logger.info("user ${EMAIL} paid for ORD-42", { password: "hunter2", card: "4571234567890111" });
  Sentry.captureFeedback({ message: "call me at ${EMAIL} about ORD-1", email: ${JSON.stringify(EMAIL)}, name: "Jane" });
  Sentry.captureCheckIn({ monitorSlug: "nightly", status: "ok" });
  Sentry.startSpan({ name: "checkout", op: "http.server" }, (span) => {
    span.setAttribute("customer.email", ${JSON.stringify(EMAIL)});
    Sentry.startSpan({ name: "charge", op: "db", attributes: { "order.id": "ORD-9" } }, () => undefined);
  });
  await Sentry.flush(5000);
  await Sentry.close(5000);
`;

function envelope(...items: readonly [Record<string, unknown>, string][]): string {
  return [JSON.stringify({ dsn: `http://${KEY}@localhost/1` }), ...items.flatMap(([headers, body]) => [JSON.stringify({ ...headers, length: Buffer.byteLength(body) }), body])].join("\n");
}

describe("data scrubbing end to end, static mode", () => {
  let dir: string;
  let fake: FakeUpstream;
  let relay: RelayProcess;
  let received: ReceivedEnvelope[] = [];

  const item = (type: string): unknown => received.flatMap((e) => e.items).find((candidate) => candidate.type === type)?.payload;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relay-pii-"));
    fake = await startFakeUpstream({});
    mkdirSync(join(dir, ".relay", "projects"), { recursive: true });
    writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: static\n  upstream: ${fake.url}\n`);
    writeFileSync(join(dir, ".relay", "projects", "1.json"), JSON.stringify(PROJECT));
    relay = await startRelayProcess(dir);
    const dsn = relay.url.replace("http://", `http://${KEY}@`) + "/1";
    const sdk = spawn(process.execPath, ["--input-type=module", "-e", SDK_SCRIPT(dsn)], { cwd: APP_DIR, stdio: "inherit" });
    const code = await new Promise((resolve) => sdk.once("exit", resolve));
    if (code !== 0) throw new Error(`the SDK script failed (${String(code)})`);
    const handcrafted = envelope(
      [{ type: "user_report" }, JSON.stringify({ event_id: "9ec79c33ec9942ab8353589fcb2e04dc", name: "Jane", email: EMAIL, comments: "ORD-5 never arrived" })],
      [{ type: "replay_event" }, JSON.stringify({ type: "replay_event", replay_id: "9ec79c33ec9942ab8353589fcb2e04dc", urls: [`https://shop.example/orders/ORD-5`], user: { email: EMAIL } })],
      [{ type: "span", content_type: "application/vnd.sentry.items.span.v2+json", item_count: 1 }, JSON.stringify({ items: [{ trace_id: "a".repeat(32), span_id: "b".repeat(16), name: "GET", attributes: { password: { type: "string", value: "hunter2" }, "client.address": { type: "string", value: "10.0.0.1" } } }] })],
      [{ type: "attachment", filename: "notes.txt", content_type: "text/plain" }, `contact ${EMAIL}\n`],
      [{ type: "client_report" }, JSON.stringify({ timestamp: 1, discarded_events: [{ reason: "sample_rate", category: "error", quantity: 1 }] })],
    );
    const response = await fetch(`${relay.url}/api/1/envelope/`, { method: "POST", headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` }, body: handcrafted });
    if (response.status !== 200) throw new Error(`the relay refused the envelope: ${response.status} ${await response.text()}`);
    const wanted = ["event", "log", "feedback", "check_in", "user_report", "replay_event", "span", "attachment"];
    const seen = (): Set<string> => new Set(fake.envelopes.flatMap((e) => e.items.map((entry) => entry.type)));
    await waitUntil(() => wanted.every((type) => seen().has(type)), `every item type forwarded (${wanted.join(", ")})`, {
      detail: () => `forwarded so far: ${[...seen()].join(", ")}\n${relay.output()}`,
    });
    received = [...fake.envelopes];
  });

  afterAll(async () => {
    await relay.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("forwards nothing of the secrets a real SDK sent, in any item", () => {
    // The address a user gave with their feedback to be answered at is kept (Relay marks it pii=false).
    const text = received.map((e) => e.body.toString("utf8")).join("\n").replaceAll(`"contact_email":"${EMAIL}"`, "");
    expect(text).toContain("[order]");
    for (const secret of [EMAIL, "ORD-12345", "ORD-777", "ORD-42", "ORD-1 ", "ORD-9", "ORD-5", "hunter2", "4571234567890111", "73.133.27.120", "10.0.0.1"]) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it("scrubs the error event with piiConfig first, then the project's settings, with _meta", () => {
    const event = item("event") as { extra: Record<string, unknown>; user: Record<string, unknown>; exception: { values: { value: string }[] }; _meta: Record<string, unknown> };
    expect(event.extra).toMatchObject({ password: "[Filtered]", note: "order [order] for [email]", cvv: null });
    expect(event.user.email).toBe("[email]");
    expect(event.user.ip_address ?? null).toBeNull();
    expect(event.exception.values[0]!.value).toBe("payment failed for [order]");
    expect(event._meta).toMatchObject({ extra: { note: { "": { rem: [["order_id", "s", 6, 13], ["@email", "s", 18, 25]] } } } });
  });

  it("scrubs logs, feedback and streamed spans", () => {
    const log = item("log") as { items: { body: string; attributes: Record<string, { value: unknown }> }[] };
    expect(log.items[0]!.body).toBe("user [email] paid for [order]");
    expect(log.items[0]!.attributes.password!.value).toBe("[Filtered]");
    expect(log.items[0]!.attributes.card!.value).toBe("[Filtered]");
    const feedback = item("feedback") as { contexts: { feedback: { message: string; contact_email: string } } };
    expect(feedback.contexts.feedback).toMatchObject({ message: "call me at [email] about [order]", contact_email: EMAIL });
    const spans = received.flatMap((e) => e.items).filter((entry) => entry.type === "span").flatMap((entry) => (entry.payload as { items: { name: string; attributes: Record<string, { value: unknown }> }[] }).items);
    const segment = spans.find((span) => span.name === "checkout")!;
    expect(segment.attributes["customer.email"]!.value).toBe("[email]");
    expect(spans.find((span) => span.name === "charge")!.attributes["order.id"]!.value).toBe("[order]");
    expect(item("check_in")).toMatchObject({ monitor_slug: "nightly", status: "ok" });
  });

  it("scrubs user reports, replay events, v2 spans and text attachments; takes in client reports as outcomes", () => {
    expect(item("user_report")).toMatchObject({ email: "[email]", comments: "[order] never arrived" });
    expect(item("replay_event")).toMatchObject({ urls: ["https://shop.example/orders/[order]"], user: { email: "[email]" } });
    const spans = received.flatMap((e) => e.items).filter((entry) => entry.type === "span").flatMap((entry) => (entry.payload as { items: { name: string; attributes: Record<string, { value: unknown }> }[] }).items);
    const span = spans.find((candidate) => candidate.name === "GET")!;
    expect(span.attributes.password!.value).toBe("[Filtered]");
    expect(span.attributes["client.address"]!.value).toBeNull();
    const attachment = received.flatMap((e) => e.body.toString("utf8").split("\n")).find((line) => line.startsWith("contact "));
    expect(attachment).toBe(`contact ${"*".repeat(EMAIL.length)}`);
    // The SDK's client report is not passed on as it came: its counts join the relay's own outcomes.
    expect(item("client_report")).toBeUndefined();
  });

  it("reports the broken rule once, with the project and rule, and applies the others", () => {
    const lines = relay.output().split("\n").filter((line) => line.includes("bad_regex"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"projectId":"1"');
  });
});
