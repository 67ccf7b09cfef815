import { describeMeta, type MetaRemark } from "./meta";

/** Every field the relay's processing changed, with the rule and what it did. */
export function ProcessingChanges({ remarks }: { remarks: readonly MetaRemark[] }) {
  return (
    <table class="grid changes">
      <thead>
        <tr>
          <th>Field</th>
          <th>What processing did</th>
        </tr>
      </thead>
      <tbody>
        {remarks.map((remark) => (
          <tr key={remark.path}>
            <td>
              <code>{remark.path}</code>
            </td>
            <td class="meta-mark-cell">
              <span class="meta-mark">{describeMeta(remark.meta)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
