import fc from "fast-check";
import { startHttpRecorder, type HttpRecorder } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SentryClient } from "../src/sentry-client.js";
import { itemsOf, KEY, quiet } from "./helpers.js";

/**
 * A cap far below the default (1 MiB) keeps the runs cheap, and strings three times over it still
 * take every trimming step of `fitEvent`; the default cap is checked in containment.test.ts.
 */
const CAP = 20_000;
/** What `captureExceptions` gave when it threw nothing. */
const NOT_THROWN = Symbol("not thrown");
const HUGE = "x".repeat(3 * CAP);
const HUGE_WIDE = "€".repeat(CAP);

function throwingProxy(): object {
  const fail = (): never => {
    throw new Error("trap");
  };
  return new Proxy({}, { get: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, getPrototypeOf: fail, set: fail, defineProperty: fail });
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable(() => undefined, {});
  revoke();
  return proxy;
}

function withThrowingGetter(base: unknown): object {
  const target: Record<string, unknown> = { base };
  Object.defineProperty(target, "boom", { enumerable: true, get: () => { throw new Error("getter"); } });
  return target;
}

function nested(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { value } : [value];
  return value;
}

function cyclic(seed: unknown): object {
  const a: Record<string, unknown> = { seed };
  const b: Record<string, unknown> = { a, list: [a] };
  a.b = b;
  a.self = a;
  return a;
}

class Widget {
  readonly kind = "widget";
  readonly self = this;
}

function hostileError(): Error {
  const error = new Error("base");
  // The stack first: V8 formats it lazily, reading the message.
  Object.defineProperty(error, "stack", { get: () => { throw new Error("stack getter"); } });
  Object.defineProperty(error, "message", { get: () => { throw new Error("message getter"); } });
  return error;
}

const anything = fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true, maxDepth: 4 });

/** A value made only inside the property: fast-check itself must not touch a hostile Proxy. */
interface Recipe {
  make(): unknown;
}

function recipe(label: string, make: () => unknown): Recipe {
  return { make, [fc.toStringMethod]: () => label } as Recipe;
}

/** Arbitrary JavaScript values, friendly and hostile. */
const value: fc.Arbitrary<Recipe> = fc.oneof(
  { arbitrary: anything.map((v) => recipe(fc.stringify(v), () => v)), weight: 6 },
  { arbitrary: anything.map((v) => recipe(`cyclic(${fc.stringify(v)})`, () => cyclic(v))), weight: 2 },
  { arbitrary: anything.map((v) => recipe(`withThrowingGetter(${fc.stringify(v)})`, () => withThrowingGetter(v))), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 20_000 }).map((depth) => recipe(`nested(${depth})`, () => nested(depth))), weight: 1 },
  {
    arbitrary: fc.constantFrom<() => unknown>(
      throwingProxy,
      revokedProxy,
      hostileError,
      () => new Widget(),
      () => HUGE,
      () => HUGE_WIDE,
      () => ({ huge: HUGE, wide: HUGE_WIDE }),
      () => ({ toString: () => { throw new Error("toString"); }, [Symbol.toPrimitive]: () => { throw new Error("primitive"); } }),
      () => ({ then: () => { throw new Error("then"); } }),
      () => new Error("outer", { cause: cyclic(1n) }),
      () => Object.assign(Object.create(null) as object, { __proto__: { polluted: true } }),
      () => Symbol("s"),
      () => 1n << 200n,
      () => () => undefined,
      () => Array.from({ length: 1500 }, (_, i) => ({ i, text: "y".repeat(100) })),
    ).map((make) => recipe(make.toString().slice(0, 80), make)),
    weight: 3,
  },
);

describe("no value breaks a capture call or a scope setter", () => {
  let server: HttpRecorder;
  let sdk: SentryClient;
  let captured = 0;

  beforeAll(async () => {
    server = await startHttpRecorder();
    sdk = new SentryClient(`http://${KEY}@127.0.0.1:${server.port}/42`, { log: quiet, captureUncaught: false, sendClientReports: false, queueSize: 10_000, timeoutMs: 30_000, maxEventBytes: CAP });
  });
  afterAll(async () => {
    await sdk.close(1000);
    await server.close();
  });

  it("nothing throws, and every event sent is JSON within the size cap", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 6, maxLength: 6 }), async (recipes) => {
        const [a, b, c, d, e, f] = recipes.map((r) => r.make());
        const any = (v: unknown): never => v as never;
        const calls = (): void => {
          sdk.setTag(any(a), b);
          sdk.setTags(any(c));
          sdk.setUser(any(d));
          sdk.setExtra(any(a), e);
          sdk.setExtras(any(f));
          sdk.setContext(any(b), any(c));
          sdk.addBreadcrumb(any(d));
          sdk.addBreadcrumb({ message: any(a), data: any(e), level: any(f) });
          sdk.userContext(any(a));
          sdk.tagsContext(any(b));
          sdk.httpContext(any(c));
          sdk.extraContext(any(d));
          sdk.context.merge(any(e));
          JSON.stringify(sdk.context.get());
          sdk.withScope((scope) => {
            scope.setTag(any(f), a);
            scope.setTags(any(b));
            scope.setUser(any(c));
            scope.mergeUser(any(d));
            scope.setRequest(any(e));
            scope.mergeRequest(any(f));
            scope.setExtra(any(a), b);
            scope.setExtras(any(c));
            scope.setContext(any(d), any(e));
            scope.setLevel(any(f));
            scope.setFingerprint(any(a));
            scope.addBreadcrumb(any(b));
            sdk.captureException(a, any(b));
            sdk.captureMessage(any(c), any(d));
            sdk.captureException(new Error("with cause", { cause: e }), { extra: { e, f }, tags: any(a), user: any(b), fingerprint: any(c), level: any(d), logger: any(e) });
            sdk.captureMessage("plain", { extra: any(f) });
          });
          // captureExceptions throws again what the block threw, and only that.
          let rethrown: unknown = NOT_THROWN;
          try {
            sdk.captureExceptions(any(a), () => {
              throw b;
            });
          } catch (error) {
            rethrown = error;
          }
          expect(rethrown).toBe(b);
        };
        expect(() => { sdk.withIsolationScope(calls); }).not.toThrow();
        captured += 5;
        expect(await sdk.flush(30_000)).toBe(true);
      }),
      { numRuns: 30 },
    );
    const items = server.requests.flatMap(itemsOf);
    expect(items.every((item) => item.type === "event")).toBe(true);
    // Nothing was dropped: every capture call above sent one event.
    expect(items).toHaveLength(captured);
    expect(sdk.discarded).toEqual([]);
    for (const item of items) {
      expect(item.size).toBeLessThanOrEqual(CAP);
      expect(item.payload.event_id).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});
