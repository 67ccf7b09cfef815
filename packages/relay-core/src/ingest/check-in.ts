import { parseJsonObject } from "@org/protocol/body";
import { normalizeEventId } from "@org/protocol/envelope";
import type { Result } from "@org/protocol/result";

/** The statuses a check-in may report, as Sentry's crons know them. */
export const CHECK_IN_STATUSES: ReadonlySet<string> = new Set(["in_progress", "ok", "error", "missed", "unknown"]);

/** A check-in the HTTP cron endpoint could not read, with what was wrong. */
export interface CheckInError {
  readonly message: string;
}

/** The nil UUID: a check-in without an id of its own (Sentry pairs it with the open one). */
const NIL_ID = "0".repeat(32);

function fail(message: string): Result<never, CheckInError> {
  return { ok: false, error: { message } };
}

/**
 * Builds the `check_in` item payload of the HTTP cron endpoint from its query (`status`,
 * `check_in_id`, `environment`, `duration`). The path's monitor slug always wins.
 */
export function checkInFromQuery(slug: string, query: URLSearchParams): Result<Record<string, unknown>, CheckInError> {
  const status = query.get("status");
  if (status === null) return fail("missing the status query parameter (in_progress, ok, error)");
  const checkIn: Record<string, unknown> = { check_in_id: NIL_ID, monitor_slug: slug, status };
  const id = query.get("check_in_id");
  if (id !== null) checkIn.check_in_id = id;
  const environment = query.get("environment");
  if (environment !== null) checkIn.environment = environment;
  const duration = query.get("duration");
  if (duration !== null) {
    const seconds = Number(duration);
    if (duration.trim() === "" || !Number.isFinite(seconds)) return fail(`duration "${duration}" is not a number of seconds`);
    checkIn.duration = seconds;
  }
  return validateCheckIn(checkIn);
}

/** Builds the `check_in` item payload from a JSON body (upserts carry `monitor_config`). */
export function checkInFromJson(slug: string, body: Uint8Array): Result<Record<string, unknown>, CheckInError> {
  const json = parseJsonObject(body);
  if (!json.ok) return fail(`the body is not a JSON object: ${json.error.message}`);
  return validateCheckIn({ check_in_id: NIL_ID, ...json.value, monitor_slug: slug });
}

/** Checks the fields Sentry relies on; normalizes the id to 32 hex digits. */
function validateCheckIn(checkIn: Record<string, unknown>): Result<Record<string, unknown>, CheckInError> {
  const { status, duration, environment, monitor_config: config } = checkIn;
  if (typeof status !== "string" || !CHECK_IN_STATUSES.has(status)) {
    return fail(`status ${JSON.stringify(status)} is not one of ${[...CHECK_IN_STATUSES].join(", ")}`);
  }
  const id = normalizeEventId(checkIn.check_in_id);
  if (id === undefined) return fail(`check_in_id ${JSON.stringify(checkIn.check_in_id)} is not a UUID`);
  if (duration !== undefined && duration !== null && (typeof duration !== "number" || !Number.isFinite(duration) || duration < 0)) {
    return fail("duration must be a non-negative number of seconds");
  }
  if (environment !== undefined && environment !== null && typeof environment !== "string") return fail("environment must be a string");
  if (config !== undefined && config !== null && (typeof config !== "object" || Array.isArray(config))) return fail("monitor_config must be an object");
  const slug = checkIn.monitor_slug;
  if (typeof slug !== "string" || slug === "" || slug.length > 128) return fail("the monitor slug must have 1 to 128 characters");
  return { ok: true, value: { ...checkIn, check_in_id: id } };
}
