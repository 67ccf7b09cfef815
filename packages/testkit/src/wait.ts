/**
 * How long a test waits for one thing to happen (a log line, a port, a message, a file) before it
 * calls it broken. Generous on purpose: the suite runs on two cores shared with builds and other
 * suites, and a wait that ends early only because its event came is free. Below the tests' own
 * timeout (vitest.shared.ts), so a failed wait says what it waited for.
 */
export const DEADLINE_MS = 120_000;

/**
 * Resolves once `check` holds, checking every `everyMs`; rejects naming `what` (and `detail()`,
 * when given) after `deadlineMs`. For state that changes without an event to listen to.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  options: { deadlineMs?: number; everyMs?: number; detail?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.deadlineMs ?? DEADLINE_MS);
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${options.deadlineMs ?? DEADLINE_MS} ms for ${what}${options.detail ? `:\n${options.detail()}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 20));
  }
}
