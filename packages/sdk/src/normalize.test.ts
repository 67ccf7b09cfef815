import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalize, safeString } from "./normalize.js";

class Invoice {
  readonly total = 12;
  readonly lines = [{ sku: "a" }];
}

describe("normalize", () => {
  it("turns what JSON cannot hold into labels", () => {
    function namedFn(): void {
      // A function with a name.
    }
    expect(
      normalize({
        big: 10n,
        sym: Symbol("token"),
        fn: namedFn,
        anon: (() => () => undefined)(),
        nan: Number.NaN,
        inf: -Infinity,
        undef: undefined,
        date: new Date(0),
        badDate: new Date(Number.NaN),
        re: /a+b/gi,
        promise: Promise.resolve(),
        weak: new WeakMap(),
        buffer: new ArrayBuffer(8),
      }),
    ).toEqual({
      big: "[BigInt: 10]",
      sym: "[Symbol(token)]",
      fn: "[Function: namedFn]",
      anon: "[Function: <anonymous>]",
      nan: "[NaN]",
      inf: "[-Infinity]",
      undef: undefined,
      date: "1970-01-01T00:00:00.000Z",
      badDate: "[Invalid Date]",
      re: "[RegExp: /a+b/gi]",
      promise: "[Promise]",
      weak: "[WeakMap]",
      buffer: "[ArrayBuffer(8 bytes)]",
    });
  });

  it("marks cycles, but not an object seen twice side by side", () => {
    const shared = { id: 1 };
    const cyclic: Record<string, unknown> = { name: "root", shared, again: shared };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { back: cyclic }];
    expect(normalize(cyclic, { depth: 5 })).toEqual({
      name: "root",
      shared: { id: 1 },
      again: { id: 1 },
      self: "[Circular ~]",
      list: ["[Circular ~]", { back: "[Circular ~]" }],
    });
  });

  it("keeps Errors' name, message, stack, cause and own fields", () => {
    const error = Object.assign(new TypeError("bad card", { cause: new Error("declined") }), { code: "E_CARD" });
    const out = normalize({ error }, { depth: 4 }) as { error: Record<string, unknown> };
    expect(out.error).toMatchObject({ name: "TypeError", message: "bad card", code: "E_CARD", cause: { name: "Error", message: "declined" } });
    expect(out.error.stack).toMatch(/^TypeError: bad card\n\s+at /);
  });

  it("walks Maps, Sets and typed arrays", () => {
    const key = { k: 1 };
    expect(normalize({ map: new Map<unknown, unknown>([["a", 1], [key, 2], [3, new Set([1, 2])]]), set: new Set(["x"]), bytes: Uint8Array.of(1, 2), wide: BigInt64Array.of(5n) })).toEqual({
      map: { a: 1, "[object Object]": 2, "3": [1, 2] },
      set: ["x"],
      bytes: [1, 2],
      wide: ["[BigInt: 5]"],
    });
  });

  it("walks class instances and names them below the depth limit, as sentry-javascript does", () => {
    expect(normalize({ invoice: new Invoice() }, { depth: 4 })).toEqual({ invoice: { total: 12, lines: [{ sku: "a" }] } });
    expect(normalize({ a: { invoice: new Invoice(), list: [1], plain: {}, bare: Object.create(null) as object } }, { depth: 2 })).toEqual({
      a: { invoice: "[Invoice]", list: "[Array]", plain: "[Object]", bare: "[null prototype]" },
    });
  });

  it("contains getters and Proxy traps that throw to their own property", () => {
    const getter = {
      fine: 1,
      get broken(): never {
        throw new Error("no access");
      },
    };
    const hostile = new Proxy({}, {
      ownKeys() {
        throw new Error("trap");
      },
    });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(normalize({ getter, hostile, revoked: proxy })).toEqual({
      getter: { fine: 1, broken: "**non-serializable** (Error: no access)" },
      hostile: "**non-serializable** (Error: trap)",
      revoked: expect.stringMatching(/^\*\*non-serializable\*\* \(TypeError: .*revoked/),
    });
  });

  it("uses toJSON, and ignores one that throws", () => {
    expect(normalize({ a: { toJSON: () => ({ b: 1n }) }, c: { x: 1, toJSON: () => { throw new Error("nope"); } } })).toEqual({
      a: { b: "[BigInt: 1]" },
      c: { x: 1, toJSON: "[Function: toJSON]" },
    });
  });

  it("labels DOM-like nodes and the global object", () => {
    const element = { nodeType: 1, nodeName: "DIV", id: "cart", className: "big red", childNodes: [] };
    expect(normalize({ element, doc: { nodeType: 9, nodeName: "#document" }, text: { nodeType: 3, nodeName: "#text" }, global: globalThis })).toEqual({
      element: "[Element: div#cart.big.red]",
      doc: "[Document]",
      text: "[Node: #text]",
      global: "[Global]",
    });
  });

  it("limits depth (normalizeDepth) and breadth (normalizeMaxBreadth)", () => {
    expect(normalize({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: "[Object]" } } });
    expect(normalize({ a: { b: { c: { d: 1 } } } }, { depth: 1 })).toEqual({ a: "[Object]" });
    expect(normalize({ a: 1, b: 2, c: 3 }, { maxBreadth: 2 })).toEqual({ a: 1, b: 2, c: "[MaxProperties ~]" });
    expect(normalize([1, 2, 3], { maxBreadth: 2 })).toEqual([1, 2, "[MaxProperties ~]"]);
    expect(normalize(new Uint8Array(5000), { maxBreadth: 3 })).toEqual([0, 0, 0, "[MaxProperties ~]"]);
  });

  it("cuts strings beyond maxChars (shared by calls given one budget) and maxStringLength", () => {
    expect(normalize({ a: "x".repeat(10), b: "y".repeat(10) }, { maxChars: 13 })).toEqual({ a: "xxxxxxxxxx", b: "yyy…" });
    const budget = { remaining: 8 };
    expect([normalize("abcdef", { maxChars: budget }), normalize("ghijkl", { maxChars: budget })]).toEqual(["abcdef", "gh…"]);
    expect(normalize(["abcdef", "gh"], { maxStringLength: 3 })).toEqual(["abc…", "gh"]);
    expect(Object.keys(normalize({ ["k".repeat(300)]: 1 }) as object)).toEqual([`${"k".repeat(256)}…`]);
  });

  it("keeps a key named __proto__ as data", () => {
    const out = normalize(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true}}');
  });

  it("gives JSON for anything, without throwing", () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true, withNullPrototype: true }), (value) => {
        expect(() => JSON.stringify(normalize(value, { depth: 10 }))).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it("safeString never throws", () => {
    const hostile = new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
    expect(typeof safeString(hostile)).toBe("string");
    expect(safeString({ toString: () => { throw new Error("x"); } })).toBe('{"toString":"[Function: toString]"}');
    expect(safeString(Symbol("s"))).toBe("Symbol(s)");
  });
});
