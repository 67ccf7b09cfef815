// The JSON of capture mode's endpoints, as the relay writes it and capture mode's web page
// (`@org/capture-ui`, which imports these types) reads it. Types only, with no imports, so that
// the page's build can read this file as it is.

/** A JSON object of unknown shape (events are free-form). */
type Json = Record<string, unknown>;

/** One row of capture mode's web page: the listing's fields and what a person scans a list for. */
export interface CaptureDigest {
  readonly event_id: string;
  readonly project_id: string;
  /** When the relay accepted it (ISO 8601). */
  readonly received: string;
  readonly item_types: readonly string[];
  readonly title: string;
  /** `error`, `warning`, `info`… of the event, log or check-in, when it has one. */
  readonly level?: string | undefined;
  /** Where it happened: the event's culprit, its transaction, or the top in-app frame. */
  readonly culprit?: string | undefined;
  /** The sending SDK as `name version`. */
  readonly sdk?: string | undefined;
  readonly platform?: string | undefined;
  readonly environment?: string | undefined;
  /** The trace it belongs to, to gather a trace's captures (spans arrive in several envelopes). */
  readonly trace_id?: string | undefined;
}

/** One item of a captured envelope, as `/api/relay/events/<id>/` renders it. */
export interface CapturedItem {
  readonly headers: Json & { readonly type: string };
  /** JSON parsed, text as text, binary as `{ base64 }`. */
  readonly payload: unknown;
}

/** A captured envelope for people, as `/api/relay/events/<id>/` renders it. */
export interface CapturedDetail {
  readonly event_id: string;
  readonly project_id: string;
  /** When the relay accepted it (ISO 8601). */
  readonly received: string;
  readonly headers?: Json;
  /** The event or transaction, when the envelope has one. */
  readonly event?: Json;
  readonly items?: readonly CapturedItem[];
  /** Why the envelope could not be read, instead of its headers and items. */
  readonly envelope_error?: string;
}
