import { watch, type FSWatcher } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { err, ok, type Result } from "@org/protocol/result";
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

/** What is wrong with a project file or config. */
export interface ProjectFileError {
  /** `invalid_json`: the file is not JSON; `invalid_config`: it is not a project config. */
  readonly code: "invalid_json" | "invalid_config";
  readonly message: string;
}

/** A parsed project file, or what is wrong with it. */
export type ProjectFileResult = Result<ProjectState, ProjectFileError>;

/** Parses the text of `projects/<id>.json` into a project state. */
export function parseProjectFile(projectId: string, text: string): ProjectFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err({ code: "invalid_json", message: `not valid JSON: ${(error as Error).message}` });
  }
  return parseProjectConfig(projectId, json);
}

/** Reads a project config in Sentry's shape (a project file, or an upstream's answer). */
export function parseProjectConfig(projectId: string, json: unknown): ProjectFileResult {
  const parsed = projectFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    return err({ code: "invalid_config", message: problems.join("; ") });
  }
  const file = parsed.data;
  const organizationId = (file as { organizationId?: unknown }).organizationId;
  return ok({
    projectId,
    ...(typeof organizationId === "number" || typeof organizationId === "string" ? { organizationId: String(organizationId) } : {}),
    slug: file.slug,
    disabled: file.disabled,
    publicKeys: file.publicKeys,
    config: file.config,
  });
}

const FILE_NAME = /^(\d+)\.json$/;

/** How long writes to a file must have settled before it is read. */
const SETTLE_MS = 50;

/** How often a missing projects folder is looked for. */
const POLL_MS = 500;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * Project states from the files `<dir>/<project id>.json`, read at start and again whenever a
 * file changes. A file that does not parse makes its project unknown (its events are rejected)
 * until it is fixed, and the problem is reported. A folder that does not exist yet, or that is
 * removed, is waited for: once it is created its files are read and watched.
 */
export async function loadStaticProjects(dir: string, onProblem: ProjectFileProblem): Promise<ProjectStates> {
  const projects = new Map<string, ProjectState>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** `open`: the folder is read (and watched); `waiting`: it is missing and looked for; `closed`: closed. */
  let state: "open" | "waiting" | "closed" = "waiting";
  let folderWatcher: FSWatcher | undefined;
  let folderIno: number | undefined;
  /**
   * Set when the watcher reports the watched folder itself gone (an event named as the folder):
   * a folder created again at once may reuse the old inode, so the inode alone cannot tell.
   */
  let folderGone = false;
  let folderCheck: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let opening = false;
  let openRequests = 0;
  let lastOpenProblem: string | undefined;

  async function reload(name: string): Promise<void> {
    const match = FILE_NAME.exec(name);
    if (!match) return;
    const projectId = match[1]!;
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (errorCode(error) !== "ENOENT") onProblem(path, (error as Error).message);
      projects.delete(projectId);
      return;
    }
    const parsed = parseProjectFile(projectId, text);
    if (parsed.ok) {
      projects.set(projectId, parsed.value);
    } else {
      projects.delete(projectId);
      onProblem(path, parsed.error.message);
    }
  }

  function clearFileTimers(): void {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  }

  function closeFolderWatcher(): void {
    folderWatcher?.close();
    folderWatcher = undefined;
    clearTimeout(folderCheck);
    folderCheck = undefined;
    clearFileTimers();
  }

  function stopWaiting(): void {
    clearInterval(poll);
    poll = undefined;
  }

  function scheduleFolderCheck(): void {
    clearTimeout(folderCheck);
    folderCheck = setTimeout(() => {
      folderCheck = undefined;
      void checkFolder();
    }, SETTLE_MS);
  }

  /** After the folder itself may have been removed or replaced: forgets it and waits for it, or reads the new one. */
  async function checkFolder(): Promise<void> {
    let ino: number | undefined;
    try {
      ino = (await stat(dir)).ino;
    } catch (error) {
      if (errorCode(error) !== "ENOENT") return;
    }
    if (state !== "open" || (ino === folderIno && !folderGone)) return;
    closeFolderWatcher();
    projects.clear();
    state = "waiting";
    if (ino === undefined) {
      onProblem(dir, "the projects folder was removed; every project is unknown until it is created again");
    }
    waitForFolder();
  }

  /**
   * Starts watching the folder, then reads every file in it (in this order, so that no change is
   * missed). False when the folder does not exist.
   */
  async function openFolder(): Promise<boolean> {
    try {
      const watcher = watch(dir, (event, name) => {
        if (event === "rename") {
          if (name === basename(dir)) folderGone = true;
          scheduleFolderCheck();
        }
        if (!name) return;
        // Editors write a file in several steps: read it once the writes have settled.
        clearTimeout(timers.get(name));
        timers.set(
          name,
          setTimeout(() => {
            timers.delete(name);
            void reload(name);
          }, SETTLE_MS),
        );
      });
      folderWatcher = watcher;
      watcher.on("error", (error) => {
        if (folderWatcher !== watcher) return;
        onProblem(dir, `watching stopped: ${error.message}`);
        folderWatcher.close();
        folderWatcher = undefined;
        scheduleFolderCheck();
      });
    } catch (error) {
      if (errorCode(error) === "ENOENT") return false;
      onProblem(dir, `changes will not be picked up: ${(error as Error).message}`);
    }
    let names: string[];
    try {
      folderGone = false;
      folderIno = (await stat(dir)).ino;
      names = await readdir(dir);
    } catch (error) {
      closeFolderWatcher();
      if (errorCode(error) === "ENOENT") return false;
      throw error;
    }
    await Promise.all(names.map(reload));
    return true;
  }

  /** Reads and watches the folder if it exists now, and again if asked while doing so. */
  async function tryOpenFolder(): Promise<void> {
    openRequests += 1;
    if (opening) return;
    opening = true;
    try {
      for (let handled = 0; handled < openRequests && state === "waiting"; ) {
        handled = openRequests;
        await openWaitedFolder();
      }
    } finally {
      opening = false;
    }
  }

  async function openWaitedFolder(): Promise<void> {
    try {
      if (!(await openFolder())) return;
      if (state === "closed") {
        closeFolderWatcher();
        return;
      }
      state = "open";
      lastOpenProblem = undefined;
      stopWaiting();
    } catch (error) {
      const problem = `cannot read the projects folder: ${(error as Error).message}`;
      if (problem !== lastOpenProblem) onProblem(dir, problem);
      lastOpenProblem = problem;
    }
  }

  /** Looks for the folder now and then until it exists (it is read and watched from then on). */
  function waitForFolder(): void {
    poll ??= setInterval(() => void tryOpenFolder(), POLL_MS);
    void tryOpenFolder();
  }

  try {
    if (await openFolder()) {
      state = "open";
    } else {
      onProblem(dir, "the projects folder does not exist; every project is unknown until it is created");
      waitForFolder();
    }
  } catch (error) {
    closeFolderWatcher();
    throw error;
  }

  return {
    get: (projectId) => Promise.resolve(projects.get(projectId)),
    peekByKey: (publicKey) => {
      for (const project of projects.values()) if (project.publicKeys?.some((key) => key.publicKey === publicKey)) return project;
      return null;
    },
    close: () => {
      state = "closed";
      stopWaiting();
      closeFolderWatcher();
    },
  };
}
