import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStack } from "./stacktrace.js";

describe("parseStack", () => {
  it("reads V8 frames, innermost last, telling app code from dependencies and Node internals", () => {
    const stack = [
      "TypeError: card declined",
      "    at checkout (/srv/app/src/pay.js:10:11)",
      "    at async handle (file:///srv/app/src/server.mjs:20:5)",
      "    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)",
      "    at node:internal/process/task_queues:95:5",
    ].join("\n");
    expect(parseStack(stack)).toEqual([
      { filename: "node:internal/process/task_queues", abs_path: "node:internal/process/task_queues", lineno: 95, colno: 5, in_app: false },
      { function: "Layer.handle", filename: "/srv/app/node_modules/express/lib/router/layer.js", abs_path: "/srv/app/node_modules/express/lib/router/layer.js", module: "express", lineno: 95, colno: 5, in_app: false },
      { function: "handle", filename: "/srv/app/src/server.mjs", abs_path: "/srv/app/src/server.mjs", lineno: 20, colno: 5, in_app: true },
      { function: "checkout", filename: "/srv/app/src/pay.js", abs_path: "/srv/app/src/pay.js", lineno: 10, colno: 11, in_app: true },
    ]);
  });

  it("never throws", () => {
    fc.assert(fc.property(fc.string(), (text) => Array.isArray(parseStack(text))));
  });
});
