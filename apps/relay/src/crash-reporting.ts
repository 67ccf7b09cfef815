import { SDK_NAME, SentryClient } from "@org/sdk";
import type { Logger } from "pino";
import type { RawRelayConfig } from "./config-schema.js";
import { RelayCliError } from "./config-error.js";

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
export function createCrashReporter(config: RawRelayConfig, version: string, logger: Logger): CrashReporter | undefined {
  if (!config.sentry.enabled) return undefined;
  if (!config.sentry.dsn) throw new RelayCliError("config_invalid", "sentry.enabled is true but sentry.dsn is not set");
  let client: SentryClient;
  try {
    client = new SentryClient(config.sentry.dsn, {
      release: `relay@${version}`,
      tags: { component: "relay", mode: config.relay.mode },
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
