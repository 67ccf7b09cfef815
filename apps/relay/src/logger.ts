import { pino, type Logger } from "pino";

/** Log fields that may hold secrets; pino replaces their values. */
const REDACT = [
  "secret_key",
  "secretKey",
  "*.secret_key",
  "*.secretKey",
  "headers.authorization",
  'headers["x-sentry-auth"]',
  'headers["x-sentry-relay-signature"]',
  "dsn",
  "*.dsn",
];

/**
 * The relay's logger: JSON lines, or human-readable lines for `pretty` (and for `auto` on a
 * terminal).
 */
export function createLogger(logging: { readonly level: string; readonly format: "auto" | "pretty" | "json" }, isTty: boolean): Logger {
  const { level, format } = logging;
  const pretty = format === "pretty" || (format === "auto" && isTty);
  return pino({
    level,
    redact: { paths: REDACT, censor: "[Filtered]" },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: isTty, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } } }
      : {}),
  });
}
