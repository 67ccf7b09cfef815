import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { vectors } from "../test/vectors.js";
import { loadRemaphoreConfig } from "./load-config.js";

describe("loadRemaphoreConfig", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "remaphore-config-"));
    path = join(dir, "remaphore.conf");
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads a private file", async () => {
    writeFileSync(path, vectors.configs["B.conf"], { mode: 0o600 });
    const loaded = await loadRemaphoreConfig(path);
    expect(loaded.ok && loaded.value.config.destination).toBe("site.b.host1");
    expect(loaded.ok && loaded.value.warnings).toEqual([]);
  });

  it("refuses a file others can read, unless allowed, and then warns", async () => {
    writeFileSync(path, vectors.configs["B.conf"]);
    chmodSync(path, 0o644);
    const refused = await loadRemaphoreConfig(path);
    expect(refused).toMatchObject({ ok: false, error: { code: "config_insecure" } });
    expect(!refused.ok && refused.error.message).toContain(`chmod 600 ${path}`);
    const allowed = await loadRemaphoreConfig(path, { allowInsecurePermissions: true });
    expect(allowed.ok && allowed.value.warnings[0]).toContain("other users can read it");
  });

  it("loads a file its group can read, with a warning", async () => {
    writeFileSync(path, vectors.configs["B.conf"]);
    chmodSync(path, 0o640);
    const loaded = await loadRemaphoreConfig(path);
    expect(loaded.ok && loaded.value.config.destination).toBe("site.b.host1");
    expect(loaded.ok && loaded.value.warnings).toEqual([`${path} holds private keys and its group can read it (mode 640); chmod 600 ${path} keeps them to its owner`]);
  });

  it("names the file and line of each problem", async () => {
    writeFileSync(path, "server: nats://x\nbroken line\n", { mode: 0o600 });
    const loaded = await loadRemaphoreConfig(path);
    expect(!loaded.ok && loaded.error.message).toContain(`${path}:2: expected "key: value"`);
  });

  it("reports a missing file", async () => {
    expect(await loadRemaphoreConfig(join(dir, "missing.conf"))).toMatchObject({ ok: false, error: { code: "config_invalid" } });
  });
});
