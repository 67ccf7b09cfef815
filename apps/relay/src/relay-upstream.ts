import { join } from "node:path";
import { loadStaticProjects, type ProjectStates, type RelayCredentials, type UpstreamSettings } from "@org/relay-core";
import type { Logger } from "pino";
import { loadRelayIdentity } from "./relay-credentials.js";
import type { RelaySettings } from "./relay-settings.js";

/** The relay's identity when its mode needs one (managed): from `RELAY_ID`/`RELAY_SECRET_KEY`, else `credentials.json`. */
export async function loadUpstreamIdentity(context: { readonly settings: RelaySettings; readonly dir: string; readonly env: NodeJS.ProcessEnv }): Promise<RelayCredentials | undefined> {
  return context.settings.mode === "managed" ? await loadRelayIdentity(context.dir, context.env) : undefined;
}

/** How the relay talks to its upstream (every mode but capture), as this version and identity. */
export function upstreamFor(context: {
  readonly settings: RelaySettings;
  readonly version: string;
  readonly credentials: RelayCredentials | undefined;
}): UpstreamSettings | undefined {
  const { settings } = context;
  return settings.mode === "capture" ? undefined : { ...settings.upstream, version: context.version, credentials: context.credentials };
}

/** Static mode: the project files in `<config folder>/projects`, problems logged; other modes make their own. */
export async function loadProjects(context: { readonly settings: RelaySettings; readonly dir: string; readonly logger: Logger }): Promise<ProjectStates | undefined> {
  if (context.settings.mode !== "static") return undefined;
  return await loadStaticProjects(join(context.dir, "projects"), (file, problem) => {
    context.logger.warn({ file }, `project file problem: ${problem}`);
  });
}
