import { watch, type FSWatcher } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { ProjectState, ProjectStates } from "./project-state.js";

const projectFileSchema = z.looseObject({
  slug: z.string().optional(),
  disabled: z.boolean().default(false),
  publicKeys: z
    .array(
      z.looseObject({
        publicKey: z.string().min(1),
        isEnabled: z.boolean().default(true),
        numericId: z.number().int().optional(),
      }),
    )
    .default([]),
  config: z
    .looseObject({
      allowedDomains: z.array(z.string()).default(["*"]),
      trustedRelays: z.array(z.string()).default([]),
      piiConfig: z.unknown().optional(),
      datascrubbingSettings: z
        .looseObject({
          scrubData: z.boolean().optional(),
          scrubDefaults: z.boolean().optional(),
          scrubIpAddresses: z.boolean().optional(),
          sensitiveFields: z.array(z.string()).optional(),
          excludeFields: z.array(z.string()).optional(),
        })
        .optional(),
      filterSettings: z.record(z.string(), z.unknown()).optional(),
      quotas: z.array(z.unknown()).optional(),
    })
    .prefault({}),
});

/** Receives problems with project files; the relay logs them. */
export type ProjectFileProblem = (file: string, problem: string) => void;

/** A parsed project file, or what is wrong with it. */
export type ProjectFileResult = { ok: true; value: ProjectState } | { ok: false; error: string };

/** Parses the text of `projects/<id>.json` into a project state. */
export function parseProjectFile(projectId: string, text: string): ProjectFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
  return parseProjectConfig(projectId, json);
}

/** Reads a project config in Sentry's shape (a project file, or an upstream's answer). */
export function parseProjectConfig(projectId: string, json: unknown): ProjectFileResult {
  const parsed = projectFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    return { ok: false, error: problems.join("; ") };
  }
  const file = parsed.data;
  return {
    ok: true,
    value: {
      projectId,
      slug: file.slug,
      disabled: file.disabled,
      publicKeys: file.publicKeys,
      config: file.config,
    },
  };
}

const FILE_NAME = /^(\d+)\.json$/;

/**
 * Project states from the files `<dir>/<project id>.json`, read at start and again whenever a
 * file changes. A file that does not parse makes its project unknown (its events are rejected)
 * until it is fixed, and the problem is reported.
 */
export async function loadStaticProjects(dir: string, onProblem: ProjectFileProblem): Promise<ProjectStates> {
  const projects = new Map<string, ProjectState>();
  const timers = new Map<string, NodeJS.Timeout>();

  async function reload(name: string): Promise<void> {
    const match = FILE_NAME.exec(name);
    if (!match) return;
    const projectId = match[1]!;
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") onProblem(path, (error as Error).message);
      projects.delete(projectId);
      return;
    }
    const parsed = parseProjectFile(projectId, text);
    if (parsed.ok) {
      projects.set(projectId, parsed.value);
    } else {
      projects.delete(projectId);
      onProblem(path, parsed.error);
    }
  }

  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    onProblem(dir, "the projects folder does not exist; every project is unknown");
  }
  await Promise.all(names.map(reload));

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, (_event, name) => {
      if (!name) return;
      // Editors write a file in several steps: read it once the writes have settled.
      clearTimeout(timers.get(name));
      timers.set(
        name,
        setTimeout(() => {
          timers.delete(name);
          void reload(name);
        }, 50),
      );
    });
    watcher.on("error", (error) => {
      onProblem(dir, `watching stopped: ${error.message}`);
    });
  } catch (error) {
    onProblem(dir, `changes will not be picked up: ${(error as Error).message}`);
  }

  return {
    get: (projectId) => Promise.resolve(projects.get(projectId)),
    close: () => {
      watcher?.close();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
