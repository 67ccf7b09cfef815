import { asObject, asObjects, asString, type Json } from "./api";
import { BreadcrumbsTable } from "./breadcrumbs-table";
import { DataTree } from "./data-tree";
import { ExceptionChain } from "./exception-chain";
import { metaChild } from "./meta";
import { MetaMark } from "./meta-mark";
import { Section } from "./section";

/** Tags as an object, whether the event sent them as pairs or as an object. */
function tagEntries(tags: unknown): [string, unknown, string][] {
  if (Array.isArray(tags)) {
    return tags.flatMap((pair, index) => (Array.isArray(pair) && typeof pair[0] === "string" ? [[pair[0], pair[1], `${index}.1`] as [string, unknown, string]] : []));
  }
  return Object.entries(asObject(tags) ?? {}).map(([key, value]) => [key, value, key]);
}

function pathMeta(meta: Json | undefined, path: string): Json | undefined {
  return path.split(".").reduce<Json | undefined>((node, key) => metaChild(node, key), meta);
}

/** An event or transaction as a developer reads it: exception, message, breadcrumbs and context (spans are drawn beside). */
export function EventDetails({ event }: { event: Json }) {
  const meta = asObject(event._meta);
  const exception = asObject(event.exception);
  const logentry = asObject(event.logentry);
  const message = asString(logentry?.formatted) ?? asString(logentry?.message) ?? asString(event.message);
  const breadcrumbs = asObjects(asObject(event.breadcrumbs)?.values ?? event.breadcrumbs);
  const tags = tagEntries(event.tags);
  return (
    <div class="details">
      {exception && (
        <Section title="Exception" id="exception">
          <ExceptionChain exception={exception} meta={metaChild(meta, "exception")} />
        </Section>
      )}
      {message && (
        <Section title="Message" id="message">
          <pre class="message">{message}</pre>
          <MetaMark meta={pathMeta(meta, "logentry.formatted") ?? pathMeta(meta, "logentry.message")} />
        </Section>
      )}
      {breadcrumbs.length > 0 && (
        <Section title="Breadcrumbs" id="breadcrumbs">
          <BreadcrumbsTable breadcrumbs={breadcrumbs} meta={metaChild(metaChild(meta, "breadcrumbs"), "values")} />
        </Section>
      )}
      {tags.length > 0 && (
        <Section title="Tags" id="tags">
          <div class="tags">
            {tags.map(([key, value, metaPath]) => (
              <span class="tag-pair" key={key}>
                <span class="tag-key">{key}</span>
                <span class="tag-value">{String(value)}</span>
                <MetaMark meta={pathMeta(metaChild(meta, "tags"), metaPath)} />
              </span>
            ))}
          </div>
        </Section>
      )}
      {(["user", "request", "contexts", "sdk", "extra"] as const).map((key) =>
        event[key] === undefined ? null : (
          <Section title={key === "sdk" ? "SDK" : key[0]!.toUpperCase() + key.slice(1)} id={key} key={key}>
            <DataTree value={event[key]} meta={metaChild(meta, key)} />
          </Section>
        ),
      )}
    </div>
  );
}
