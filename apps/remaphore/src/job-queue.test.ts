import { describe, expect, it } from "vitest";
import { JobQueue } from "./job-queue.js";

/** A job that records when it starts and ends, and finishes when told to. */
function recorder(events: string[]): { job: (name: string) => () => Promise<void>; finish: (name: string) => void } {
  const finishers = new Map<string, () => void>();
  return {
    job: (name) => () =>
      new Promise<void>((resolve) => {
        events.push(`start ${name}`);
        finishers.set(name, () => {
          events.push(`end ${name}`);
          resolve();
        });
      }),
    finish: (name) => {
      finishers.get(name)?.();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("JobQueue", () => {
  it("with concurrency 1 runs one job at a time, in the order added", async () => {
    const events: string[] = [];
    const { job, finish } = recorder(events);
    const queue = new JobQueue(1);
    for (const name of ["a", "b", "c"]) queue.push(job(name));
    await tick();
    expect(events).toEqual(["start a"]);
    for (const name of ["a", "b", "c"]) {
      finish(name);
      await tick();
    }
    await queue.idle();
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("with concurrency N starts jobs in the order added, N at a time", async () => {
    const events: string[] = [];
    const { job, finish } = recorder(events);
    const queue = new JobQueue(2);
    for (const name of ["a", "b", "c", "d"]) queue.push(job(name));
    await tick();
    expect(events).toEqual(["start a", "start b"]);
    finish("b");
    await tick();
    expect(events).toEqual(["start a", "start b", "end b", "start c"]);
    for (const name of ["a", "c"]) finish(name);
    await tick();
    finish("d");
    await queue.idle();
    expect(events.filter((event) => event.startsWith("start"))).toEqual(["start a", "start b", "start c", "start d"]);
  });

  it("refuses jobs beyond its capacity and drops waiting ones on clear", async () => {
    const events: string[] = [];
    const { job, finish } = recorder(events);
    const queue = new JobQueue(1, 2);
    expect(queue.push(job("a"))).toBe(true);
    expect(queue.push(job("b"))).toBe(true);
    expect(queue.push(job("c"))).toBe(true);
    expect(queue.push(job("d"))).toBe(false);
    expect(queue.clear()).toBe(2);
    finish("a");
    await queue.idle();
    expect(events).toEqual(["start a", "end a"]);
  });

  it("keeps going after a job that throws", async () => {
    const queue = new JobQueue(1);
    const ran: string[] = [];
    queue.push(() => Promise.reject(new Error("boom")));
    queue.push(() => {
      ran.push("next");
      return Promise.resolve();
    });
    await queue.idle();
    expect(ran).toEqual(["next"]);
  });

  it("refuses a concurrency that is not a positive integer", () => {
    expect(() => new JobQueue(0)).toThrow(RangeError);
    expect(() => new JobQueue(1.5)).toThrow(RangeError);
  });
});
