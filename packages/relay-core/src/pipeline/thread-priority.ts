import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * Lowers the scheduling priority of the calling thread by `steps` nice levels (Linux: a thread's
 * nice value is its own), so that when CPU is short the threads answering clients get it first
 * and background work waits. Returns whether it could; elsewhere it changes nothing.
 */
export function lowerThreadPriority(steps: number): boolean {
  try {
    // `/proc/thread-self` names the calling thread: `<pid>/task/<tid>`.
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, Math.min(19, getPriority(tid) + steps));
    return true;
  } catch {
    return false;
  }
}
