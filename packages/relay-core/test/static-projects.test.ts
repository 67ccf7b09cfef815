import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStaticProjects } from "../src/projects/static-projects.js";
import type { ProjectStates } from "../src/projects/project-state.js";
import { startHarness, type Harness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";

function project(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    slug: "shop",
    disabled: false,
    publicKeys: [
      { publicKey: KEY, isEnabled: true, numericId: 1 },
      { publicKey: OTHER, isEnabled: false },
    ],
    config: { allowedDomains: ["*.shop.example", "https://admin.example:8443"], datascrubbingSettings: { scrubData: true, sensitiveFields: ["iban"] } },
    ...overrides,
  });
}

describe("static project files", () => {
  let dir: string;
  let projects: ProjectStates;
  let relay: Harness;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "projects-"));
    writeFileSync(join(dir, "42.json"), project());
    writeFileSync(join(dir, "7.json"), "{ not json");
    projects = await loadStaticProjects(dir, (file, problem) => problems.push(`${file}: ${problem}`));
    relay = startHarness({ mode: "static", projects });
  });
  afterAll(async () => {
    await relay.close();
    projects.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (projectId: string, key: string, headers: Record<string, string> = {}) =>
    relay.app.inject({ method: "POST", url: `/api/${projectId}/store/?sentry_key=${key}&sentry_version=7`, headers, payload: '{"message":"hi","extra":{"iban":"DE00"}}' });

  it("accepts an enabled key of a known project and applies its scrubbing settings", async () => {
    const response = await send("42", KEY);
    expect(response.statusCode, response.body).toBe(200);
    await relay.drain();
    const event = relay.store.get(response.json<{ id: string }>().id);
    expect(new TextDecoder().decode(event!.envelope)).toContain('"iban":"[Filtered]"');
  });

  it.for<[string, string, string, Record<string, string>, string]>([
    ["an unknown project", "99", KEY, {}, "ProjectId"],
    ["a disabled key", "42", OTHER, {}, "DisabledKey"],
    ["a key of another project", "42", "a".repeat(32), {}, "not a key of project 42"],
    ["an origin that is not allowed", "42", KEY, { origin: "https://evil.example" }, "Cors"],
    ["a project whose file is broken", "7", KEY, {}, "ProjectId"],
  ])("refuses %s with 403", async ([_name, projectId, key, headers, text]) => {
    const response = await send(projectId, key, headers);
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain(text);
  });

  it("allows origins by pattern", async () => {
    expect((await send("42", KEY, { origin: "https://www.shop.example" })).statusCode).toBe(200);
    expect((await send("42", KEY, { origin: "https://admin.example:8443" })).statusCode).toBe(200);
    expect((await send("42", KEY, { origin: "https://admin.example" })).statusCode).toBe(403);
  });

  it("reports broken files", () => {
    expect(problems.some((p) => p.includes("7.json") && p.includes("not valid JSON"))).toBe(true);
  });

  it("picks up a changed file: a disabled project is refused", async () => {
    writeFileSync(join(dir, "42.json"), project({ disabled: true }));
    let status = 200;
    await waitUntil(
      async () => {
        status = (await send("42", KEY)).statusCode;
        return status === 403;
      },
      "the changed file to be picked up",
      { everyMs: 50 },
    );
    expect(status).toBe(403);
  });
});

describe("static project files in a projects folder created after start", () => {
  let configDir: string;
  let projectsDir: string;
  const opened: ProjectStates[] = [];
  const problems: string[] = [];

  beforeAll(() => {
    configDir = mkdtempSync(join(tmpdir(), "relay-config-"));
    projectsDir = join(configDir, "projects");
  });
  afterAll(() => {
    for (const projects of opened) projects.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  async function open(dir: string): Promise<ProjectStates> {
    const projects = await loadStaticProjects(dir, (file, problem) => problems.push(`${file}: ${problem}`));
    opened.push(projects);
    return projects;
  }

  /** Waits, under the shared deadline, until `condition` holds. */
  function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
    return waitUntil(condition, what, { everyMs: 25 });
  }

  it("loads a projects folder created after start, and again after it is deleted and recreated", async () => {
    const projects = await open(projectsDir);
    expect(await projects.get("42", KEY)).toBeUndefined();
    expect(problems.some((p) => p.includes(projectsDir) && p.includes("does not exist"))).toBe(true);

    mkdirSync(projectsDir);
    writeFileSync(join(projectsDir, "42.json"), project());
    await eventually(async () => (await projects.get("42", KEY)) !== undefined, "the new folder's project");
    expect((await projects.get("42", KEY))?.slug).toBe("shop");

    writeFileSync(join(projectsDir, "42.json"), project({ slug: "changed" }));
    await eventually(async () => (await projects.get("42", KEY))?.slug === "changed", "the changed project");

    rmSync(projectsDir, { recursive: true });
    await eventually(async () => (await projects.get("42", KEY)) === undefined, "the project gone with its folder");

    mkdirSync(projectsDir);
    writeFileSync(join(projectsDir, "42.json"), project({ slug: "again" }));
    await eventually(async () => (await projects.get("42", KEY))?.slug === "again", "the recreated folder's project");
  });

  it("reads a projects folder removed and created again at once, though it gets the old inode back", async () => {
    const folder = join(configDir, "at-once", "projects");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "42.json"), project());
    const projects = await open(folder);
    expect((await projects.get("42", KEY))?.slug).toBe("shop");
    const before = statSync(folder).ino;
    // In one turn, so the watcher hears of the removal only once the new folder exists.
    rmSync(folder, { recursive: true });
    mkdirSync(folder);
    const reused = statSync(folder).ino === before;
    writeFileSync(join(folder, "42.json"), project({ slug: "again" }));
    await eventually(async () => (await projects.get("42", KEY))?.slug === "again", "the recreated folder's project");
    // Later files in the new folder are seen too: it is watched, not the removed one.
    writeFileSync(join(folder, "43.json"), project({ slug: "later" }));
    await eventually(async () => (await projects.get("43", KEY))?.slug === "later", `the new folder watched (inode reused: ${String(reused)})`);
  });

  it("loads a projects folder whose config folder is created after start", async () => {
    const lateConfig = join(configDir, "late");
    const lateProjects = join(lateConfig, "projects");
    const projects = await open(lateProjects);
    expect(await projects.get("8", KEY)).toBeUndefined();

    mkdirSync(lateProjects, { recursive: true });
    writeFileSync(join(lateProjects, "8.json"), project());
    await eventually(async () => (await projects.get("8", KEY)) !== undefined, "the late folder's project");
  });

  it("stops watching for the folder once closed", async () => {
    const closedConfig = join(configDir, "closed");
    mkdirSync(closedConfig);
    const closedProjects = join(closedConfig, "projects");
    const projects = await open(closedProjects);
    projects.close();
    // A witness watching the same folder: once it has read the file, the closed one had its chance.
    const witness = await open(closedProjects);

    mkdirSync(closedProjects);
    writeFileSync(join(closedProjects, "9.json"), project());
    await eventually(async () => (await witness.get("9", KEY)) !== undefined, "the witness to read the new folder");
    expect(await projects.get("9", KEY)).toBeUndefined();
  });
});
