import { asObject, asObjects, asString, toText, type Json } from "./api";
import { metaChild } from "./meta";
import { MetaMark } from "./meta-mark";
import { StackFrames } from "./stack-frames";

/** An event's exceptions, the one that was raised last first, each with its stack trace. */
export function ExceptionChain({ exception, meta }: { exception: Json; meta: Json | undefined }) {
  const values = asObjects(exception.values);
  const valuesMeta = metaChild(meta, "values");
  const ordered = values.map((value, index) => ({ value, meta: metaChild(valuesMeta, index), index })).reverse();
  return (
    <div class="exceptions">
      {ordered.map(({ value, meta: own, index }, position) => {
        const mechanism = asObject(value.mechanism);
        const frames = asObjects(asObject(value.stacktrace)?.frames);
        return (
          <div class="exception" key={index}>
            {position > 0 && <p class="caused">caused</p>}
            <h3>
              <span class="exc-type">{asString(value.type) ?? "Exception"}</span>
              {value.value !== undefined && <span class="exc-value">: {toText(value.value)}</span>}
              <MetaMark meta={metaChild(own, "value")} />
            </h3>
            {mechanism && (
              <p class="mechanism">
                mechanism <code>{asString(mechanism.type) ?? "?"}</code>
                {mechanism.handled === false && <span class="tag unhandled">unhandled</span>}
                {mechanism.handled === true && <span class="tag">handled</span>}
              </p>
            )}
            {frames.length > 0 ? (
              <StackFrames frames={frames} meta={metaChild(metaChild(own, "stacktrace"), "frames")} />
            ) : (
              <p class="muted">No stack trace.</p>
            )}
          </div>
        );
      })}
    </div>
  );
}
