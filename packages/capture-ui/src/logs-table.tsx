import { asObject, asObjects, asString, type Json } from "./api";
import { formatClock, toDate } from "./format-time";
import { LevelBadge } from "./level-badge";

function attributeText(value: unknown): string {
  const object = asObject(value);
  const inner = object && "value" in object ? object.value : value;
  return typeof inner === "string" ? inner : JSON.stringify(inner);
}

/** The logs of a log item (`{ items: [...] }`), one row each: time, level, message and attributes. */
export function LogsTable({ payload }: { payload: unknown }) {
  const logs: Json[] = asObjects(asObject(payload)?.items);
  if (logs.length === 0) return <p class="muted">No log records.</p>;
  return (
    <table class="grid logs">
      <thead>
        <tr>
          <th>Time</th>
          <th>Level</th>
          <th>Message</th>
          <th>Attributes</th>
        </tr>
      </thead>
      <tbody>
        {logs.map((log, index) => {
          const time = toDate(log.timestamp);
          const attributes = Object.entries(asObject(log.attributes) ?? {});
          return (
            <tr key={index}>
              <td class="time">{time ? formatClock(time) : ""}</td>
              <td>
                <LevelBadge level={asString(log.level)} />
              </td>
              <td class="log-body">{typeof log.body === "string" ? log.body : JSON.stringify(log.body)}</td>
              <td class="attributes">
                {attributes.map(([key, value]) => (
                  <span class="attr" key={key}>
                    <b>{key}</b>={attributeText(value)}
                  </span>
                ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
