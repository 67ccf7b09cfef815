import { API, type CapturedDetail } from "./api";

/** The processed envelope as JSON, and the envelope itself as a download. */
export function RawView({ detail }: { detail: CapturedDetail }) {
  return (
    <div class="raw">
      <p>
        <a class="button" href={API.envelope(detail.event_id)} download={`${detail.event_id}.envelope`}>
          Download the envelope
        </a>{" "}
        <span class="muted">exactly what the relay would have forwarded, after normalization and scrubbing</span>
      </p>
      <pre class="json">{JSON.stringify(detail, null, 2)}</pre>
    </div>
  );
}
