/** A JSON value as found in events. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Severity of an event. */
export type Level = "fatal" | "error" | "warning" | "info" | "debug";

/** A stack frame. */
export interface Frame {
  function?: string;
  module?: string;
  filename?: string;
  abs_path?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
  context_line?: string;
  pre_context?: string[];
  post_context?: string[];
  vars?: Record<string, JsonValue>;
  [key: string]: unknown;
}

/** A stack trace, innermost frame last. */
export interface Stacktrace {
  frames: Frame[];
  [key: string]: unknown;
}

/** One exception of a chain. */
export interface ExceptionValue {
  type?: string;
  value?: string;
  module?: string;
  stacktrace?: Stacktrace;
  mechanism?: { type?: string; handled?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

/** A breadcrumb: something that happened before the event. */
export interface Breadcrumb {
  timestamp?: number | string;
  type?: string;
  category?: string;
  message?: string;
  level?: Level;
  data?: Record<string, JsonValue>;
  [key: string]: unknown;
}

/** The HTTP request an event happened in. */
export interface RequestInfo {
  url?: string;
  method?: string;
  query_string?: string | [string, string][] | Record<string, string>;
  data?: JsonValue;
  cookies?: string | [string, string][] | Record<string, string>;
  headers?: [string, string][] | Record<string, string>;
  env?: Record<string, JsonValue>;
  [key: string]: unknown;
}

/** The user an event happened for. */
export interface User {
  id?: string | number;
  email?: string;
  username?: string;
  ip_address?: string;
  [key: string]: unknown;
}

/** The SDK that sent an event. */
export interface SdkInfo {
  name: string;
  version: string;
  integrations?: string[];
  packages?: { name: string; version: string }[];
  [key: string]: unknown;
}

/** A formatted log message. */
export interface LogEntry {
  message?: string;
  formatted?: string;
  params?: JsonValue[];
  [key: string]: unknown;
}

/**
 * An event in its canonical form, as the relay forwards it: interfaces under their modern names,
 * `exception` and `breadcrumbs` as `{values}`, `tags` as `[key, value]` pairs (a key may repeat),
 * `modules` as a map, `timestamp` and `received` as Unix seconds.
 */
export interface SentryEvent {
  event_id: string;
  timestamp: number;
  received?: number;
  level: Level;
  platform: string;
  logger?: string;
  type?: string;
  transaction?: string;
  culprit?: string;
  server_name?: string;
  release?: string;
  dist?: string;
  environment?: string;
  message?: string;
  logentry?: LogEntry;
  exception?: { values: ExceptionValue[] };
  stacktrace?: Stacktrace;
  breadcrumbs?: { values: Breadcrumb[] };
  request?: RequestInfo;
  user?: User;
  contexts?: Record<string, Record<string, unknown>>;
  tags?: [string, string][];
  extra?: Record<string, JsonValue>;
  modules?: Record<string, string>;
  fingerprint?: string[];
  sdk?: SdkInfo;
  _meta?: Record<string, unknown>;
  /** Attributes this version does not know are kept. */
  [key: string]: unknown;
}

/** Platforms Sentry knows; others become `other`. */
export const PLATFORMS: ReadonlySet<string> = new Set([
  "as3", "c", "cfml", "cocoa", "csharp", "elixir", "go", "groovy", "haskell", "java", "javascript",
  "native", "node", "objc", "other", "perl", "php", "python", "ruby",
]);
