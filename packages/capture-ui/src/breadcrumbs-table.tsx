import { asString, toText, type Json } from "./api";
import { DataTree } from "./data-tree";
import { formatClock, toDate } from "./format-time";
import { LevelBadge } from "./level-badge";
import { metaChild } from "./meta";
import { MetaMark } from "./meta-mark";

/** Breadcrumbs in the order they happened: time, category, level, message and data. */
export function BreadcrumbsTable({ breadcrumbs, meta }: { breadcrumbs: readonly Json[]; meta: Json | undefined }) {
  return (
    <table class="grid breadcrumbs">
      <thead>
        <tr>
          <th>Time</th>
          <th>Category</th>
          <th>Level</th>
          <th>Message / data</th>
        </tr>
      </thead>
      <tbody>
        {breadcrumbs.map((crumb, index) => {
          const own = metaChild(meta, index);
          const time = toDate(crumb.timestamp);
          return (
            <tr key={index}>
              <td class="time">{time ? formatClock(time) : ""}</td>
              <td>{asString(crumb.category) ?? asString(crumb.type) ?? ""}</td>
              <td>
                <LevelBadge level={asString(crumb.level) ?? "info"} />
              </td>
              <td>
                {crumb.message !== undefined && <div>{toText(crumb.message)}</div>}
                <MetaMark meta={metaChild(own, "message")} />
                {crumb.data !== undefined && <DataTree value={crumb.data} meta={metaChild(own, "data")} />}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
