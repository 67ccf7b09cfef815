import type { Frame } from "@org/protocol/event";
/** One frame of a parsed stack trace, as Sentry expects it. */
export interface StackFrame extends Pick<Frame, "function" | "filename" | "abs_path" | "module" | "lineno" | "colno"> {
  in_app: boolean;
}

const WITH_FUNCTION = /^\s*at (?:async )?(?<fn>.+?) \((?<path>.+?):(?<line>\d+):(?<column>\d+)\)$/;
const WITHOUT_FUNCTION = /^\s*at (?:async )?(?<path>.+?):(?<line>\d+):(?<column>\d+)$/;

/** The parts of one stack line, as the patterns above capture them. */
interface FrameText {
  readonly fn?: string;
  readonly path: string;
  readonly line: string;
  readonly column: string;
}

function frameOf(text: FrameText): StackFrame {
  const { fn, path, line, column } = text;
  const absPath = path.startsWith("file://") ? decodeURIComponent(new URL(path).pathname) : path;
  const inApp = !absPath.includes("/node_modules/") && !absPath.startsWith("node:") && absPath.includes("/");
  const frame: StackFrame = { filename: absPath, abs_path: absPath, lineno: Number(line), colno: Number(column), in_app: inApp };
  if (fn !== undefined) frame.function = fn;
  const moduleMatch = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(absPath);
  if (moduleMatch) frame.module = moduleMatch[1];
  return frame;
}

/**
 * Parses a V8 stack (`error.stack`) into frames, outermost first and the frame that threw last,
 * as Sentry orders them. Lines it does not understand are skipped.
 */
export function parseStack(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const line of stack.split("\n")) {
    const match = WITH_FUNCTION.exec(line) ?? WITHOUT_FUNCTION.exec(line);
    if (match) frames.push(frameOf(match.groups as unknown as FrameText));
  }
  return frames.reverse();
}
