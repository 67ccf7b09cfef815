import { asObject, type Json } from "./api";
import { fieldMeta, metaChild } from "./meta";
import { MetaMark } from "./meta-mark";

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span class="null">null</span>;
  if (typeof value === "string") return <span class="string">{value}</span>;
  return <span class="scalar">{JSON.stringify(value)}</span>;
}

/** A value as nested rows of keys and values, each marked when processing changed it. */
export function DataTree({ value, meta }: { value: unknown; meta?: Json | undefined }) {
  const object = asObject(value);
  const entries: [string, unknown][] | undefined = object ? Object.entries(object) : Array.isArray(value) ? value.map((each, index) => [String(index), each]) : undefined;
  if (!entries) {
    return (
      <span>
        <Scalar value={value} /> <MetaMark meta={meta} />
      </span>
    );
  }
  if (entries.length === 0) {
    return (
      <span class="null">
        {Array.isArray(value) ? "[]" : "{}"} <MetaMark meta={meta} />
      </span>
    );
  }
  return (
    <table class="kv">
      <tbody>
        {fieldMeta(meta) && (
          <tr>
            <td colSpan={2}>
              <MetaMark meta={meta} />
            </td>
          </tr>
        )}
        {entries.map(([key, child]) => (
          <tr key={key} data-key={key}>
            <th>{key}</th>
            <td>
              <DataTree value={child} meta={metaChild(meta, key)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
