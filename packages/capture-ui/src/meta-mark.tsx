import type { Json } from "./api";
import { describeMeta, fieldMeta } from "./meta";

/** Marks a field that processing changed with the reason from `_meta`; nothing when it is untouched. */
export function MetaMark({ meta }: { meta: Json | undefined }) {
  const own = fieldMeta(meta);
  if (!own) return null;
  return (
    <span class="meta-mark" title="changed by the relay's processing">
      {describeMeta(own)}
    </span>
  );
}
