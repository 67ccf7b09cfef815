import { createItem, LOG_CONTAINER_CONTENT_TYPE, SPAN_CONTAINER_CONTENT_TYPE, type EnvelopeItem } from "@org/protocol/envelope";
import type { Result } from "@org/protocol/result";

/** Why records could not be put into a container item. */
export interface ContainerError {
  readonly message: string;
}

/** The item types that come as containers, with their content types. */
const CONTENT_TYPES = { span: SPAN_CONTAINER_CONTENT_TYPE, log: LOG_CONTAINER_CONTENT_TYPE } as const;

/** Sentry Relay's limits on a container item. */
export interface ContainerLimits {
  /** Largest record (`max_span_size`, `max_log_size`). */
  readonly maxRecordSize: number;
  /** Largest item (`max_container_size`). */
  readonly maxContainerSize: number;
}

/**
 * Builds one container item (`{"items":[...]}`) of spans or logs, held to Sentry Relay's limits:
 * each record to `maxRecordSize`, the whole to `maxContainerSize`.
 */
export function buildContainerItem(type: keyof typeof CONTENT_TYPES, records: readonly unknown[], limits: ContainerLimits): Result<EnvelopeItem, ContainerError> {
  const { maxRecordSize, maxContainerSize } = limits;
  const parts: string[] = [];
  let size = '{"items":[]}'.length;
  for (const [index, record] of records.entries()) {
    const json = JSON.stringify(record);
    const bytes = Buffer.byteLength(json);
    if (bytes > maxRecordSize) return { ok: false, error: { message: `${type} ${index} has ${bytes} bytes, more than ${maxRecordSize}` } };
    size += bytes + (index > 0 ? 1 : 0);
    if (size > maxContainerSize) return { ok: false, error: { message: `the ${type}s take more than ${maxContainerSize} bytes` } };
    parts.push(json);
  }
  const payload = `{"items":[${parts.join(",")}]}`;
  return { ok: true, value: createItem(type, payload, { item_count: records.length, content_type: CONTENT_TYPES[type] }) };
}
