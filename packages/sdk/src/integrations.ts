import { safeString } from "./normalize.js";
import type { SentryClient } from "./sentry-client.js";

/** Undoes an installed integration. */
export type Uninstall = () => void;

/**
 * Something that hooks the client into the application: `setup` runs once when the client starts
 * (a throw there is contained: the integration is skipped, logged in debug mode) and may return
 * how to undo it, called by `close()`.
 */
export interface Integration {
  readonly name: string;
  setup(client: SentryClient): Uninstall | undefined;
}

/**
 * Reports uncaught exceptions and unhandled rejections, then lets the process end as Node would:
 * the error is printed and the process exits with code 1, after the event was sent (up to
 * `flushTimeoutMs`).
 */
export function installGlobalHandlers(client: SentryClient, flushTimeoutMs = 2000): Uninstall {
  const fatal = (error: unknown): void => {
    client.captureException(error, { level: "fatal" });
    console.error(error);
    void client.flush(flushTimeoutMs).finally(() => process.exit(1));
  };
  const onRejection = (reason: unknown): void => {
    fatal(reason);
  };
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", fatal);
    process.off("unhandledRejection", onRejection);
  };
}

/** An argument of a console call as text; one whose `toString` throws does not break the call. */
function printable(arg: unknown): string {
  if (typeof arg === "string") return arg;
  try {
    return String(arg);
  } catch {
    return safeString(arg);
  }
}

const LEVELS = { debug: "debug", log: "info", info: "info", warn: "warning", error: "error" } as const;

/**
 * Turns `console` calls into breadcrumbs, and `console.error` calls given an Error into captured
 * events when `captureErrors` is set.
 */
export function installConsoleIntegration(client: SentryClient, options: { captureErrors?: boolean } = {}): Uninstall {
  const originals = new Map<keyof typeof LEVELS, (...args: unknown[]) => void>();
  for (const method of Object.keys(LEVELS) as (keyof typeof LEVELS)[]) {
    const original = console[method].bind(console) as (...args: unknown[]) => void;
    originals.set(method, original);
    console[method] = (...args: unknown[]) => {
      client.addBreadcrumb({ category: "console", level: LEVELS[method], message: args.map(printable).join(" ") });
      if (method === "error" && options.captureErrors) {
        const error = args.find((arg) => arg instanceof Error);
        if (error) client.captureException(error);
      }
      original(...args);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
