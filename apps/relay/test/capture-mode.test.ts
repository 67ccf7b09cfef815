// @module-tag e2e
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { SentryClient } from "@org/sdk";
import { DEADLINE_MS, waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_DIR, startRelayProcess, type RelayProcess } from "./relay-process.js";

interface Listing {
  events: { event_id: string; title: string; item_types: string[] }[];
}

async function waitForEvents(url: string, count: number): Promise<Listing> {
  let listing: Listing = { events: [] };
  await waitUntil(
    async () => {
      listing = (await (await fetch(`${url}/api/relay/events/`)).json()) as Listing;
      return listing.events.length >= count;
    },
    `${count} events to be captured`,
    { everyMs: 50 },
  );
  return listing;
}

/** Runs a script with the real @sentry/node from npm in its own process. */
function runSdk(dsn: string, body: string, options = ""): Promise<string> {
  const script = `
    import * as Sentry from "@sentry/node";
    Sentry.init({ dsn: ${JSON.stringify(dsn)}, defaultIntegrations: false, release: "app@1.0.0"${options} });
    ${body}
    await Sentry.flush(60000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: APP_DIR, stdio: "pipe" });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`the SDK script failed (${String(code)}):\n${output}`));
    }),
  );
}

describe("relay run with no configuration (capture mode)", () => {
  let dir: string;
  let relay: RelayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relay-capture-"));
    relay = await startRelayProcess(dir);
  });

  afterAll(async () => {
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints a DSN for SDKs on 127.0.0.1 and is ready", async () => {
    expect(relay.dsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1$/);
    const ready = await fetch(`${relay.url}/api/relay/healthcheck/ready/`);
    expect(ready.status).toBe(200);
  });

  it("captures an error from @sentry/node 11 with breadcrumbs and user, secrets filtered", async () => {
    await runSdk(
      relay.dsn,
      `
      Sentry.setUser({ id: "42", email: "ada@example.com" });
      Sentry.addBreadcrumb({ category: "auth", message: "logged in" });
      Sentry.setExtra("password", "hunter2");
      Sentry.setExtra("note", "card 4571234567890111 on file");
      Sentry.captureException(new Error("checkout failed"));
      `,
    );
    const listing = await waitForEvents(relay.url, 1);
    const entry = listing.events.find((e) => e.title.includes("checkout failed"));
    expect(entry).toBeDefined();
    const detail = (await (await fetch(`${relay.url}/api/relay/events/${entry!.event_id}/`)).json()) as { event: Record<string, any> /* eslint-disable-line @typescript-eslint/no-explicit-any -- asserting on free-form event JSON */ };
    const event = detail.event;
    expect(event.exception.values[0]).toMatchObject({ type: "Error", value: "checkout failed" });
    expect(event.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0);
    expect(event.user).toMatchObject({ id: "42", email: "ada@example.com" });
    expect(event.breadcrumbs.values.some((b: { message?: string }) => b.message === "logged in")).toBe(true);
    expect(event.extra.password).toBe("[Filtered]");
    expect(event.extra.note).toBe("card [Filtered] on file");
    expect(event.release).toBe("app@1.0.0");
    expect(event.platform).toBe("node");
    expect(event._meta.extra.password[""].rem[0][0]).toBe("@password:filter");
  });

  it("captures a root span, a session and an attachment from @sentry/node 11", async () => {
    await runSdk(
      relay.dsn,
      `
      Sentry.startSpan({ name: "GET /orders", op: "http.server", forceTransaction: true }, () => undefined);
      Sentry.getCurrentScope().addAttachment({ filename: "report.txt", data: "attached text", contentType: "text/plain" });
      Sentry.captureException(new Error("with an attachment"));
      Sentry.getCurrentScope().clearAttachments();
      Sentry.startSession();
      Sentry.endSession();
      `,
      ", tracesSampleRate: 1",
    );
    let listing: Listing = { events: [] };
    await waitUntil(
      async () => {
        listing = (await (await fetch(`${relay.url}/api/relay/events/`)).json()) as typeof listing;
        const types = listing.events.flatMap((e) => e.item_types);
        return (types.includes("transaction") || types.includes("span")) && types.includes("session") && types.includes("attachment");
      },
      "the span, session and attachment to be captured",
      { everyMs: 50 },
    );
    // @sentry/node 11 streams spans: its root span arrives as a span item rather than a transaction,
    // listed under the trace's name and shown as JSON.
    const root = listing.events.find((e) => e.title === "GET /orders");
    expect(root?.item_types).toEqual(["span"]);
    const rootDetail = (await (await fetch(`${relay.url}/api/relay/events/${root!.event_id}/`)).json()) as { items: { payload: { items?: { name?: string }[] } }[] };
    expect(rootDetail.items[0]!.payload.items?.[0]?.name).toBe("GET /orders");
    const withAttachment = listing.events.find((e) => e.title.includes("with an attachment"));
    expect(withAttachment?.item_types).toEqual(["event", "attachment"]);
    const detail = (await (await fetch(`${relay.url}/api/relay/events/${withAttachment!.event_id}/`)).json()) as { items: { headers: { type: string; filename?: string }; payload: unknown }[] };
    expect(detail.items[1]).toMatchObject({ headers: { type: "attachment", filename: "report.txt" }, payload: "attached text" });
    const session = listing.events.find((e) => e.item_types.includes("session"));
    expect(session).toBeDefined();
    const sessionDetail = (await (await fetch(`${relay.url}/api/relay/events/${session!.event_id}/`)).json()) as { items: { payload: { status?: string; attrs?: { release?: string } } }[] };
    expect(sessionDetail.items[0]!.payload.attrs?.release).toBe("app@1.0.0");
  });

  it("captures a message for another project", async () => {
    await runSdk(
      relay.dsn.replace(/\/1$/, "/2"),
      `
      Sentry.captureMessage("plain message", "warning");
      `,
    );
    const listing = await waitForEvents(relay.url, 2);
    const message = listing.events.find((e) => e.title === "plain message");
    expect(message).toBeDefined();
    const detail = (await (await fetch(`${relay.url}/api/relay/events/${message!.event_id}/`)).json()) as { project_id: string; event: Record<string, any> /* eslint-disable-line @typescript-eslint/no-explicit-any -- asserting on free-form event JSON */ };
    expect(detail.project_id).toBe("2");
    expect(detail.event.level).toBe("warning");
  });

  it("fills the browser and client OS contexts from the event's User-Agent, as Relay does", async () => {
    const userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36";
    await runSdk(
      relay.dsn,
      `
      Sentry.captureEvent({ message: "from a browser user", request: { url: "https://app.example/", headers: { "User-Agent": ${JSON.stringify(userAgent)} } } });
      `,
    );
    let entry: Listing["events"][number] | undefined;
    await waitUntil(async () => {
      const listing = (await (await fetch(`${relay.url}/api/relay/events/`)).json()) as Listing;
      entry = listing.events.find((e) => e.title === "from a browser user");
      return entry !== undefined;
    }, "the event from a browser user");
    const detail = (await (await fetch(`${relay.url}/api/relay/events/${entry!.event_id}/`)).json()) as { event: Record<string, any> /* eslint-disable-line @typescript-eslint/no-explicit-any -- asserting on free-form event JSON */ };
    expect(detail.event.contexts.browser).toEqual({ name: "Chrome", version: "111.0.0", type: "browser" });
    // Not JavaScript: the OS of the user agent goes beside the server's own `os`.
    expect(detail.event.contexts.client_os).toEqual({ name: "Windows", version: ">=10", type: "os" });
  });

  it("captures what @org/sdk sends, field by field", async () => {
    const client = new SentryClient(relay.dsn, { release: "relay-test@1", tags: { via: "org-sdk" }, log: { info: () => undefined, error: () => undefined }, captureUncaught: false });
    client.extraContext({ api_key: "do-not-leak" });
    const id = client.captureException(new Error("from our own sdk"));
    expect(await client.close(DEADLINE_MS)).toBe(true);
    let detail = await fetch(`${relay.url}/api/relay/events/${id}/`);
    // The relay answers once the event is spooled; it is captured when processing has run.
    await waitUntil(
      async () => {
        if (detail.status !== 404) return true;
        detail = await fetch(`${relay.url}/api/relay/events/${id}/`);
        return detail.status !== 404;
      },
      "the event to be captured",
      { everyMs: 50 },
    );
    expect(detail.status).toBe(200);
    const { event } = (await detail.json()) as { event: Record<string, any> /* eslint-disable-line @typescript-eslint/no-explicit-any -- asserting on free-form event JSON */ };
    expect(event).toMatchObject({ event_id: id, release: "relay-test@1", platform: "node", tags: [["via", "org-sdk"], ["server_name", hostname()]], extra: { api_key: "[Filtered]" } });
    // As in Relay, the server's name is carried as a tag.
    expect(event.server_name).toBeUndefined();
    expect(event.exception.values[0].value).toBe("from our own sdk");
  });

  it("shuts down cleanly on SIGTERM", async () => {
    expect(await relay.stop()).toBe(0);
  });
});
