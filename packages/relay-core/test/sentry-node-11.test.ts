import { describe, expect, it } from "vitest";
import { capturedItems, runSentryNode } from "./captured-items.js";
import { listeningHarness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";

describe("@sentry/node 11 from npm: feedback and logs, through the relay", () => {
  const relay = listeningHarness();
  const dsn = (): string => `http://${KEY}@127.0.0.1:${relay.port}/1`;

  it("processes user feedback like an event and keeps the contact address", async () => {
    await runSentryNode(
      dsn(),
      `Sentry.captureFeedback({ message: "The checkout button does nothing", name: "Ada", email: "ada@example.com" }, { captureContext: { extra: { password: "hunter2" } } });`,
    );
    await relay.harness.drain();
    const feedback = capturedItems(relay.harness.store).find((item) => item.type === "feedback")!;
    const event = feedback.payload as { type: string; contexts: { feedback: Record<string, unknown> }; extra?: Record<string, unknown>; event_id: string; timestamp: number };
    expect(event.type).toBe("feedback");
    expect(event.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof event.timestamp).toBe("number");
    expect(event.contexts.feedback).toMatchObject({ message: "The checkout button does nothing", contact_email: "ada@example.com", name: "Ada" });
    expect(event.extra?.password).toBe("[Filtered]");
    const listed = relay.harness.store.list(100).find((entry) => entry.itemTypes.includes("feedback"));
    expect(listed?.title).toBe("Feedback: The checkout button does nothing");
  });

  it("keeps Sentry.logger's logs as one log container item", async () => {
    await runSentryNode(
      dsn(),
      `Sentry.logger.info(Sentry.logger.fmt\`order \${42} shipped\`, { carrier: "ups" }); Sentry.logger.error("payment declined", { attempt: 3 });`,
      "enableLogs: true",
    );
    await relay.harness.drain();
    const logs = capturedItems(relay.harness.store)
      .filter((item) => item.type === "log")
      .flatMap((item) => (item.payload as { items: { level: string; body: string; attributes: Record<string, { value: unknown }> }[] }).items);
    const shipped = logs.find((log) => log.body === "order 42 shipped")!;
    expect(shipped.level).toBe("info");
    expect(shipped.attributes.carrier?.value).toBe("ups");
    expect(logs.find((log) => log.body === "payment declined")).toMatchObject({ level: "error" });
  });
});
