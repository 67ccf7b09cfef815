// @module-tag e2e
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startNatsServer } from "./nats-server.js";

function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("data", (chunk) => {
      socket.destroy();
      resolve(chunk.toString());
    });
    socket.once("error", reject);
  });
}

describe("startNatsServer", () => {
  it("runs a real nats-server on loopback, restarts it on the same port and stops it", async () => {
    const server = await startNatsServer();
    try {
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      expect(await greeting(server.port)).toMatch(/^INFO /);
      await server.restart();
      expect(await greeting(server.port)).toMatch(/^INFO /);
    } finally {
      await server.stop();
    }
    await expect(greeting(server.port)).rejects.toThrow();
  });
});

describe("startNatsServer with JetStream", () => {
  it("announces JetStream and keeps its store in a temporary folder removed on stop", async () => {
    const server = await startNatsServer({ jetstream: true });
    try {
      expect(JSON.parse((await greeting(server.port)).slice("INFO ".length)) as { jetstream?: boolean }).toMatchObject({ jetstream: true });
      expect(existsSync(server.storeDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.storeDir)).toBe(false);
  });
});
