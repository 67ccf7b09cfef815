import { parseByteSize } from "@org/protocol/body";
import type { RelayMode, RelayOptions, ScrubbingPolicy } from "@org/relay-core";
import type { RawRelayConfig } from "./config-schema.js";
import { RelayCliError } from "./config-error.js";

/** What the relay's parts need, derived once from `config.yml`. */
export interface RelaySettings {
  readonly mode: RelayMode;
  readonly http: RelayOptions;
  readonly spoolMaxBytes: number;
  readonly globalScrubbing: ScrubbingPolicy;
}

function bytes(value: number | string, key: string): number {
  if (typeof value === "number") return value;
  const parsed = parseByteSize(value);
  if (!parsed.ok) throw new RelayCliError("config_invalid", `${key}: ${parsed.error.message}`);
  return parsed.value;
}

/** Resolves sizes and names of the validated configuration into the parts' options. */
export function resolveRelayOptions(config: RawRelayConfig): RelaySettings {
  const { limits } = config;
  return Object.freeze({
    mode: config.relay.mode,
    http: {
      mode: config.relay.mode,
      limits: {
        maxEventSize: bytes(limits.max_event_size, "limits.max_event_size"),
        maxEnvelopeSize: bytes(limits.max_envelope_size, "limits.max_envelope_size"),
        maxAttachmentSize: bytes(limits.max_attachment_size, "limits.max_attachment_size"),
        maxApiPayloadSize: bytes(limits.max_api_payload_size, "limits.max_api_payload_size"),
        maxSessionsPerEnvelope: limits.max_session_count,
        maxCheckInSize: bytes(limits.max_check_in_size, "limits.max_check_in_size"),
        maxLogSize: bytes(limits.max_log_size, "limits.max_log_size"),
        maxSpanSize: bytes(limits.max_span_size, "limits.max_span_size"),
        maxContainerSize: bytes(limits.max_container_size, "limits.max_container_size"),
        maxProfileSize: bytes(limits.max_profile_size, "limits.max_profile_size"),
        maxReplayCompressedSize: bytes(limits.max_replay_compressed_size, "limits.max_replay_compressed_size"),
        maxClientReportsSize: bytes(limits.max_client_reports_size, "limits.max_client_reports_size"),
        maxStatsdSize: bytes(limits.max_statsd_size, "limits.max_statsd_size"),
        maxMetricBucketsSize: bytes(limits.max_metric_buckets_size, "limits.max_metric_buckets_size"),
        maxTraceMetricSize: bytes(limits.max_trace_metric_size, "limits.max_trace_metric_size"),
      },
      trustProxy: config.relay.trust_proxy,
      maxBufferedBodyBytes: bytes(limits.max_buffered_body_size, "limits.max_buffered_body_size"),
      maxDiscardedBodyBytes: bytes(limits.max_discarded_body_size, "limits.max_discarded_body_size"),
      requestTimeoutMs: config.http.request_timeout * 1000,
      tunnelPath: config.relay.tunnel_path,
    },
    spoolMaxBytes: bytes(config.spool.max_disk_size, "spool.max_disk_size"),
    globalScrubbing: {
      scrubData: config.pii.scrub_data,
      scrubDefaults: config.pii.scrub_defaults,
      scrubIpAddresses: config.pii.scrub_ip_addresses,
      sensitiveFields: config.pii.sensitive_fields,
      excludeFields: config.pii.exclude_fields,
    },
  });
}
