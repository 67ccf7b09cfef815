import { distance } from "fastest-levenshtein";

/** A key of Sentry's Relay that this relay reads under another name. */
interface Renamed {
  readonly kind: "renamed";
  /** Where the value goes in this relay's configuration. */
  readonly to: readonly [string, string];
}

/** A key (or a whole section, with `*`) of Sentry's Relay that this relay does not use. */
interface Ignored {
  readonly kind: "ignored";
  /** Why, for the start-up warning. */
  readonly why: string;
}

type RelayKey = Renamed | Ignored;

const internal = "is for Sentry's internal relays; ignored";
const tuning = "tunes Sentry's Relay internals; ignored (this relay has no such setting)";

/**
 * Keys documented for Sentry's Relay (`relay-config/src/config.rs` and the "Configuration
 * Options" page of docs.sentry.io/product/relay/options/) that are not keys of this relay. Keys
 * both relays share are validated by the schema and need no entry here.
 */
const RELAY_KEYS: Readonly<Record<string, RelayKey>> = {
  "relay.instance": { kind: "ignored", why: "(canary/default) only labels Sentry's own deployments; ignored" },
  "relay.internal_host": { kind: "ignored", why: "is not needed: health and metrics are served on relay.port; ignored" },
  "relay.internal_port": { kind: "ignored", why: "is not needed: health and metrics are served on relay.port; ignored" },
  "relay.override_project_ids": { kind: "ignored", why: "is not supported: a project id that differs from the upstream's is refused" },
  "http.host_header": { kind: "ignored", why: "is not supported: the Host header is the upstream URL's host" },
  "http.retry_delay": { kind: "ignored", why: "is not used: retries back off up to http.max_retry_interval" },
  "http.project_failure_interval": { kind: "ignored", why: tuning },
  "http.global_metrics": { kind: "ignored", why: internal },
  "http.forward": { kind: "ignored", why: "is not used: every endpoint this relay serves is forwarded" },
  "cache.project_request_full_config": { kind: "ignored", why: internal },
  "cache.relay_expiry": { kind: "ignored", why: "is not used: downstream relays' keys come from auth.static_relays" },
  "cache.envelope_expiry": { kind: "ignored", why: "is replaced by spool.max_age" },
  "cache.envelope_buffer_size": { kind: "ignored", why: "is replaced by spool.max_disk_size" },
  "cache.event_expiry": { kind: "ignored", why: "is replaced by spool.max_age" },
  "cache.event_buffer_size": { kind: "ignored", why: "is replaced by spool.max_disk_size" },
  "cache.downstream_relays_batch_interval": { kind: "ignored", why: tuning },
  "cache.file_interval": { kind: "ignored", why: "is not used: static project files are watched" },
  "cache.eviction_interval": { kind: "ignored", why: tuning },
  "cache.global_config_fetch_interval": { kind: "ignored", why: tuning },
  "cache.project_refresh_interval": { kind: "ignored", why: tuning },
  "spool.envelopes.path": { kind: "renamed", to: ["spool", "path"] },
  "spool.envelopes.max_disk_size": { kind: "renamed", to: ["spool", "max_disk_size"] },
  "spool.envelopes.*": { kind: "ignored", why: "tunes Sentry's Relay envelope buffer; ignored (this relay's spool is on disk and sized by spool.max_disk_size)" },
  "spool.health.*": { kind: "ignored", why: tuning },
  "logging.log_failed_payloads": { kind: "ignored", why: "is not supported: payloads are never logged" },
  "logging.enable_backtraces": { kind: "ignored", why: "is not used: errors are logged with their stack" },
  "logging.sentry": { kind: "ignored", why: "is replaced by the sentry section" },
  "metrics.hostname_tag": { kind: "ignored", why: "is not supported; put the host name in metrics.default_tags" },
  "metrics.buffering": { kind: "ignored", why: tuning },
  "metrics.sample_rate": { kind: "ignored", why: "is not supported: every metric is sent" },
  "metrics.periodic_secs": { kind: "ignored", why: tuning },
  "metrics.aggregate": { kind: "ignored", why: tuning },
  "metrics.allow_high_cardinality_tags": { kind: "ignored", why: tuning },
  "sentry.environment": { kind: "ignored", why: "is not supported: the relay's own events carry no environment" },
  "sentry.server_name": { kind: "ignored", why: "is not supported" },
  "sentry.default_tags": { kind: "ignored", why: "is not supported" },
  "sentry._crash_db": { kind: "ignored", why: "is not used: crashes are reported while the process runs" },
  "sentry.enabled_features": { kind: "ignored", why: internal },
  "auth.*": { kind: "ignored", why: "is not supported" },
  "processing.*": { kind: "ignored", why: internal },
  "outcomes.*": { kind: "ignored", why: "tunes how Sentry's Relay batches outcomes; ignored (this relay reads outcomes.emit_outcomes and outcomes.aggregator.flush_interval)" },
  "aggregator.*": { kind: "ignored", why: "is for metrics extraction, which this relay leaves to the upstream; ignored" },
  "secondary_aggregators.*": { kind: "ignored", why: "is for metrics extraction, which this relay leaves to the upstream; ignored" },
  "sentry_metrics.*": { kind: "ignored", why: internal },
  "cardinality_limiter.*": { kind: "ignored", why: internal },
  "cogs.*": { kind: "ignored", why: internal },
  "geoip.*": { kind: "ignored", why: "is not supported: the upstream adds geography" },
  "normalization.*": { kind: "ignored", why: "is not configurable: events are always normalized for the upstream" },
  "routing.*": { kind: "ignored", why: "is not configurable: unknown envelope items are forwarded" },
  "health.*": { kind: "ignored", why: "tunes Sentry's Relay memory checks; ignored (readiness follows the spool, the registration and shutdown)" },
  "limits.max_attachments_size": { kind: "ignored", why: "is not a separate limit here: limits.max_envelope_size bounds all attachments together" },
  "limits.max_concurrent_requests": { kind: "ignored", why: "is replaced by http.max_connections" },
  "limits.max_concurrent_queries": { kind: "ignored", why: "is replaced by http.max_connections" },
  "limits.*": { kind: "ignored", why: "tunes a limit this relay does not have; ignored" },
  "upstream.*": { kind: "ignored", why: internal },
};

/** Relay's log levels (case-insensitive) and this relay's name for each. */
const LEVELS: Readonly<Record<string, string>> = { off: "silent", error: "error", warn: "warn", warning: "warn", info: "info", debug: "debug", trace: "trace", fatal: "fatal", silent: "silent" };
/** Relay's log formats and this relay's name for each. */
const FORMATS: Readonly<Record<string, string>> = { auto: "auto", pretty: "pretty", simplified: "pretty", json: "json" };

/** A key that is neither ours nor Relay's but close to one: a typo to refuse. */
export interface LikelyTypo {
  /** The section the key is in (empty at the top). */
  readonly parent: readonly string[];
  /** The key as written. */
  readonly key: string;
  /** The nearest known key, in full. */
  readonly suggestion: string;
}

/** The configuration after Relay's keys were translated, with what the operator should hear. */
export interface RelayCompatResult {
  /** The input with Relay-only keys moved or removed, for the schema. */
  readonly input: Record<string, unknown>;
  /** One start-up warning per ignored key or section. */
  readonly warnings: readonly string[];
  /** Unknown keys close to a known one; start-up stops on these. */
  readonly typos: readonly LikelyTypo[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when `key` is a slip of the pen for `known`, not a different word. */
function isLikelyTypo(key: string, known: string): boolean {
  const d = distance(key.toLowerCase(), known.toLowerCase());
  if (d === 0) return true;
  const longest = Math.max(key.length, known.length);
  if (d <= 1 || (longest >= 5 && d <= 2)) return true;
  // Two neighbouring letters swapped ("prot" for "port") is one slip, not two.
  const a = key.toLowerCase();
  const b = known.toLowerCase();
  if (a.length !== b.length) return false;
  const differ: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ.push(i);
  const [first, second] = differ;
  return differ.length === 2 && first !== undefined && second === first + 1 && a[first] === b[second] && a[second] === b[first];
}

/**
 * Translates a `config.yml` written for Sentry's Relay: keys with another name here are moved,
 * keys this relay does not use are removed with one warning each, log levels and formats are read
 * as Relay reads them (any case), and other unknown keys are warnings unless they look like a
 * typo of a known key. `ourKeys` lists this relay's own key paths ("relay.port").
 */
export function adaptRelayConfig(input: Readonly<Record<string, unknown>>, ourKeys: readonly string[]): RelayCompatResult {
  const ours = new Set(ourKeys);
  const relayKeys = Object.keys(RELAY_KEYS);
  const known = [...ours, ...relayKeys.map((key) => key.replace(/\.\*$/, ""))];
  const warnings: string[] = [];
  const typos: LikelyTypo[] = [];
  const output: Record<string, unknown> = {};
  const moved: [readonly [string, string], unknown, string][] = [];

  const siblingsOf = (parent: readonly string[]): string[] => {
    const prefix = parent.length === 0 ? "" : `${parent.join(".")}.`;
    const names = new Set<string>();
    for (const key of known) {
      if (key.startsWith(prefix)) {
        const rest = key.slice(prefix.length).split(".")[0];
        if (rest) names.add(rest);
      }
    }
    return [...names];
  };
  const unknown = (parent: readonly string[], key: string): void => {
    const near = siblingsOf(parent).find((name) => isLikelyTypo(key, name));
    const path = [...parent, key].join(".");
    if (near !== undefined) typos.push({ parent, key, suggestion: [...parent, near].join(".") });
    else warnings.push(`${path} is not a setting of this relay or of Sentry's Relay; ignored`);
  };

  const walk = (source: Readonly<Record<string, unknown>>, parent: readonly string[], target: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(source)) {
      const path = [...parent, key].join(".");
      const entry = RELAY_KEYS[path];
      if (ours.has(path)) {
        if (isMapping(value) && [...ours].some((k) => k.startsWith(`${path}.`))) {
          const child: Record<string, unknown> = {};
          walk(value, [...parent, key], child);
          target[key] = child;
        } else {
          target[key] = value;
        }
      } else if (entry?.kind === "renamed") {
        moved.push([entry.to, value, path]);
      } else if (entry?.kind === "ignored") {
        warnings.push(`${path} ${entry.why}`);
      } else if (RELAY_KEYS[`${path}.*`]?.kind === "ignored") {
        // A section of Relay's that this relay has no part of, or only some keys of.
        if (isMapping(value) && relayKeys.some((k) => k.startsWith(`${path}.`) && !k.endsWith(".*"))) {
          walk(value, [...parent, key], {});
        } else {
          warnings.push(`${path}.* ${(RELAY_KEYS[`${path}.*`] as Ignored).why}`);
        }
      } else {
        const section = parent.length > 0 ? RELAY_KEYS[`${parent.join(".")}.*`] : undefined;
        const near = siblingsOf(parent).find((name) => isLikelyTypo(key, name));
        if (section?.kind === "ignored" && near === undefined) warnings.push(`${path} ${section.why}`);
        else unknown(parent, key);
      }
    }
  };
  walk(input, [], output);

  for (const [[section, key], value, from] of moved) {
    const target = isMapping(output[section]) ? (output[section]) : {};
    if (target[key] === undefined) {
      target[key] = value;
      output[section] = target;
    } else {
      warnings.push(`${from} is ignored: ${section}.${key} is set too and wins`);
    }
  }

  const logging = output.logging;
  if (isMapping(logging)) {
    if (typeof logging.level === "string") logging.level = LEVELS[logging.level.toLowerCase()] ?? logging.level;
    if (typeof logging.format === "string") logging.format = FORMATS[logging.format.toLowerCase()] ?? logging.format;
  }
  const relay = output.relay;
  if (isMapping(relay) && typeof relay.mode === "string") relay.mode = relay.mode.toLowerCase();
  return { input: output, warnings, typos };
}
