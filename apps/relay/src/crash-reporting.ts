import { SDK_NAME, SentryClient } from "@org/sdk";
import type { Logger } from "pino";
import { RelayCliError } from "./config-error.js";
import type { RelaySettings } from "./relay-settings.js";

/** The relay's own crash reporting, when `sentry.enabled`. */
export interface CrashReporter {
  /** Reports an error of the relay itself, unless it came from handling the reporter's own events. */
  report(error: unknown, context: { userAgent?: string | undefined; client?: string | undefined; where: string }): void;
  close(): Promise<void>;
}

/**
 * Creates the crash reporter from `sentry.*`, or nothing when disabled. Errors raised while the
 * relay handles events sent by this very reporter are not reported again, so that a relay that
 * reports into itself cannot loop.
 */
export function createCrashReporter(context: { readonly settings: RelaySettings; readonly version: string; readonly logger: Logger }): CrashReporter | undefined {
  const { settings, version, logger } = context;
  // The schema has checked that an enabled reporter has a DSN.
  if (settings.crashReportsDsn === null) return undefined;
  let client: SentryClient;
  try {
    client = new SentryClient(settings.crashReportsDsn, {
      release: `relay@${version}`,
      tags: { component: "relay", mode: settings.mode },
      logger: "relay",
      log: { info: (message) => { logger.info(message); }, error: (message) => { logger.warn(message); } },
    });
  } catch (error) {
    throw new RelayCliError("config_invalid", `sentry.dsn: ${(error as Error).message}`, { cause: error });
  }
  const ownEvents = (text: string | undefined): boolean => text?.startsWith(SDK_NAME) ?? false;
  return {
    report(error, context) {
      if (ownEvents(context.userAgent) || ownEvents(context.client)) return;
      client.captureException(error, { tags: { where: context.where } });
    },
    async close() {
      await client.close(2000);
    },
  };
}
