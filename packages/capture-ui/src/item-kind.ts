/** The list's filters: what a captured envelope mainly is. */
export type ItemKind = "error" | "trace" | "log" | "session" | "check_in" | "feedback" | "other";

/** Filters in the order the list shows them, with their labels. */
export const ITEM_KINDS: readonly { readonly kind: ItemKind; readonly label: string }[] = [
  { kind: "error", label: "Errors" },
  { kind: "trace", label: "Transactions & spans" },
  { kind: "log", label: "Logs" },
  { kind: "session", label: "Sessions & reports" },
  { kind: "check_in", label: "Check-ins" },
  { kind: "feedback", label: "Feedback" },
  { kind: "other", label: "Other" },
];

/** Shown when the page opens: everything but sessions and client reports, which would crowd out errors. */
export const DEFAULT_KINDS: ReadonlySet<ItemKind> = new Set(ITEM_KINDS.map((each) => each.kind).filter((kind) => kind !== "session"));

const KIND_OF_TYPE: Readonly<Record<string, ItemKind>> = {
  event: "error",
  security: "error",
  raw_security: "error",
  transaction: "trace",
  span: "trace",
  otel_span: "trace",
  otel_traces: "trace",
  log: "log",
  otel_log: "log",
  otel_logs: "log",
  session: "session",
  sessions: "session",
  client_report: "session",
  check_in: "check_in",
  feedback: "feedback",
  user_report: "feedback",
};

/**
 * What an envelope with these item types mainly is: the first item type with a kind decides
 * (an error with an attachment is an error). Types the page does not know are "other".
 */
export function kindOf(itemTypes: readonly string[]): ItemKind {
  for (const type of itemTypes) {
    const kind = KIND_OF_TYPE[type];
    if (kind) return kind;
  }
  return "other";
}
