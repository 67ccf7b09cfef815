// @module-tag e2e
import { existsSync, readFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, PortInUseError, startNatsServer } from "./nats-server.js";
import { waitUntil } from "./wait.js";

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

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve(server);
    });
  });
}

function release(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

describe("freePort", () => {
  it.runIf(process.platform === "linux")("chooses ports that outgoing connections cannot take", async () => {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port < low! || port > high!).toBe(true);
  });
});

describe("startNatsServer on a taken port", () => {
  it("fails with PortInUseError when the port it was told to use is taken", async () => {
    const busy = await occupy(await freePort());
    try {
      const port = (busy.address() as { port: number }).port;
      await expect(startNatsServer({ port })).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      await release(busy);
    }
  });

  it("restarts on its own port once something else lets go of it", async () => {
    const server = await startNatsServer();
    try {
      await server.halt();
      const busy = await occupy(server.port);
      const restarted = server.restart();
      await waitUntil(() => server.output().includes("address already in use"), "the restart to find its port taken", { detail: () => server.output() });
      await release(busy);
      await restarted;
      expect(await greeting(server.port)).toMatch(/^INFO /);
    } finally {
      await server.stop();
    }
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
