type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function display(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function lookup(params: unknown, key: string | number): { found: boolean; value?: unknown } {
  if (typeof key === "number") {
    if (!Array.isArray(params) || key >= params.length) return { found: false };
    return { found: true, value: params[key] };
  }
  if (!isObject(params) || !Object.hasOwn(params, key)) return { found: false };
  return { found: true, value: params[key] };
}

const PYTHON_SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])/g;

/** `%s`, `%d`, `%(name)s` placeholders filled from a list or a map; `undefined` when one cannot be. */
function formatPython(message: string, params: unknown): string | undefined {
  const state = { position: 0, failed: false };
  const text = message.replace(PYTHON_SPEC, (...groups: unknown[]) => {
    const name = groups[1] as string | undefined;
    const kind = groups[5] as string;
    if (kind === "%") return "%";
    const found = lookup(params, name ?? state.position++);
    if (!found.found || !["s", "d", "i", "r", "f"].includes(kind) || ((kind === "d" || kind === "i") && typeof found.value !== "number")) {
      state.failed = true;
      return "";
    }
    return kind === "d" || kind === "i" ? String(Math.trunc(found.value as number)) : display(found.value);
  });
  return state.failed ? undefined : text;
}

/** `{}`, `{0}` and `{name}` placeholders filled from a list or a map; `undefined` when one cannot be. */
function formatCurly(message: string, params: unknown): string | undefined {
  const state = { position: 0, failed: false };
  const text = message.replace(/\{([^{}]*)\}/g, (_whole, name: string) => {
    const key = name === "" ? state.position++ : /^\d+$/.test(name) ? Number(name) : name;
    const found = lookup(params, key);
    if (!found.found) state.failed = true;
    return found.found ? display(found.value) : "";
  });
  return state.failed ? undefined : text;
}

/**
 * Formats a log message with its parameters as Relay does: Python style when the message has a
 * `%`, otherwise curly braces when it has a `{`. `undefined` when it cannot be formatted.
 */
export function formatMessage(message: string, params: unknown): string | undefined {
  if (message.includes("%")) return formatPython(message, params);
  if (message.includes("{")) return formatCurly(message, params);
  return undefined;
}
