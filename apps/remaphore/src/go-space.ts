/** White space as Go's `unicode.IsSpace` sees it, which the original uses to trim. */
const GO_SPACE = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const ONE_SPACE = new RegExp(`^${GO_SPACE}$`, "u");
const AROUND = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, "gu");

/** Whether `char` (one character) is white space. */
export function isGoSpace(char: string): boolean {
  return ONE_SPACE.test(char);
}

/** `text` without leading and trailing white space. */
export function trimGoSpace(text: string): string {
  return text.replace(AROUND, "");
}
