import { asString, type Json } from "./api";
import { DataTree } from "./data-tree";
import { metaChild } from "./meta";
import { MetaMark } from "./meta-mark";

function contextLines(frame: Json): { number: number | undefined; text: string; current: boolean }[] {
  const pre = Array.isArray(frame.pre_context) ? frame.pre_context.map(String) : [];
  const post = Array.isArray(frame.post_context) ? frame.post_context.map(String) : [];
  const line = typeof frame.context_line === "string" ? frame.context_line : undefined;
  if (line === undefined) return [];
  const lineno = typeof frame.lineno === "number" ? frame.lineno : undefined;
  const first = lineno === undefined ? undefined : lineno - pre.length;
  const numbered = (text: string, index: number, current = false) => ({ number: first === undefined ? undefined : first + index, text, current });
  return [...pre.map((text, index) => numbered(text, index)), numbered(line, pre.length, true), ...post.map((text, index) => numbered(text, pre.length + 1 + index))];
}

/** One stack frame: function, file, line and column, and its source lines when the SDK sent them. */
export function StackFrame({ frame, meta, open }: { frame: Json; meta: Json | undefined; open: boolean }) {
  const fn = asString(frame.function) ?? "<anonymous>";
  const file = asString(frame.filename) ?? asString(frame.abs_path) ?? asString(frame.module) ?? "<unknown file>";
  const where = [frame.lineno, frame.colno].filter((each) => typeof each === "number").join(":");
  const lines = contextLines(frame);
  const vars = frame.vars;
  const summary = (
    <span class="frame-line">
      <code class="fn">{fn}</code> <span class="in">in</span> <span class="file">{file}</span>
      {where && <span class="lineno"> at line {where}</span>}
      {frame.in_app === true && <span class="tag in-app-tag">in app</span>}
      <MetaMark meta={metaChild(meta, "function")} />
      <MetaMark meta={metaChild(meta, "filename")} />
    </span>
  );
  if (lines.length === 0 && vars === undefined) {
    return <div class={frame.in_app === true ? "frame in-app" : "frame"}>{summary}</div>;
  }
  return (
    <details class={frame.in_app === true ? "frame in-app" : "frame"} open={open}>
      <summary>{summary}</summary>
      {lines.length > 0 && (
        <pre class="context">
          {lines.map((line, index) => (
            <div key={index} class={line.current ? "line current" : "line"}>
              <span class="number">{line.number ?? ""}</span>
              {line.text}
            </div>
          ))}
        </pre>
      )}
      {vars !== undefined && (
        <div class="vars">
          <DataTree value={vars} meta={metaChild(meta, "vars")} />
        </div>
      )}
    </details>
  );
}

/**
 * A stack trace with the most recent call first. The app's own frames are shown, the first one
 * opened on its source lines; runs of library frames fold into one line that opens on a click.
 */
export function StackFrames({ frames, meta }: { frames: readonly Json[]; meta: Json | undefined }) {
  const ordered = frames.map((frame, index) => ({ frame, meta: metaChild(meta, index) })).reverse();
  const anyInApp = ordered.some(({ frame }) => frame.in_app === true);
  const firstOpen = anyInApp ? ordered.findIndex(({ frame }) => frame.in_app === true) : 0;
  const groups: { inApp: boolean; frames: { frame: Json; meta: Json | undefined; index: number }[] }[] = [];
  ordered.forEach((each, index) => {
    const inApp = !anyInApp || each.frame.in_app === true;
    const last = groups.at(-1);
    if (last?.inApp === inApp) last.frames.push({ ...each, index });
    else groups.push({ inApp, frames: [{ ...each, index }] });
  });
  return (
    <div class="frames">
      {groups.map((group, groupIndex) =>
        group.inApp ? (
          group.frames.map((each) => <StackFrame key={each.index} frame={each.frame} meta={each.meta} open={each.index === firstOpen} />)
        ) : (
          <details key={`g${groupIndex}`} class="library-frames">
            <summary>
              {group.frames.length} library {group.frames.length === 1 ? "frame" : "frames"}
            </summary>
            {group.frames.map((each) => (
              <StackFrame key={each.index} frame={each.frame} meta={each.meta} open={false} />
            ))}
          </details>
        ),
      )}
    </div>
  );
}
