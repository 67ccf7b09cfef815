import { isOriginAllowed } from "../http/allowed-origin.js";
import type { ScrubbingPolicy } from "../processing/scrub/scrubbing-policy.js";
import { RelayError } from "../relay-error.js";

/** One client key of a project. */
export interface ProjectKey {
  readonly publicKey: string;
  readonly isEnabled: boolean;
  readonly numericId?: number | undefined;
}

/** The project's `datascrubbingSettings`, as Sentry sends them: the same fields as a scrubbing policy. */
export type DataScrubbingSettings = ScrubbingPolicy;

/** The parts of a project's config the relay acts on; anything else is kept as given. */
export interface ProjectConfig {
  readonly allowedDomains: readonly string[];
  readonly trustedRelays: readonly string[];
  readonly datascrubbingSettings?: DataScrubbingSettings | undefined;
  readonly piiConfig?: unknown;
  readonly filterSettings?: Readonly<Record<string, unknown>> | undefined;
  readonly quotas?: readonly unknown[] | undefined;
}

/** What the relay knows about a project: whether it takes data, from which keys, and how. */
export interface ProjectState {
  readonly projectId: string;
  /** The project's organization, when its config names it (organization-wide rate limits). */
  readonly organizationId?: string | undefined;
  readonly slug?: string | undefined;
  readonly disabled: boolean;
  /** Keys of the project; `undefined` means any well-formed key is accepted (proxy, capture). */
  readonly publicKeys: readonly ProjectKey[] | undefined;
  readonly config: ProjectConfig;
}

/**
 * Where the relay learns project states: local files, the upstream, or a fixed permissive policy.
 * `undefined` means the project is not known (its keys are rejected).
 */
export interface ProjectStates {
  /** The state of a project, looked up for one of its keys. Rejects with {@link ProjectStateUnavailable} when it cannot be known now. */
  get(projectId: string, publicKey: string): Promise<ProjectState | undefined>;
  /**
   * For downstream relays: the project of a client key as known now, without waiting: `null` for
   * a key known to be unknown, `undefined` while it is not known yet (a fetch is started).
   */
  peekByKey?(publicKey: string): ProjectState | null | undefined;
  /** Stops watching or fetching. */
  close(): void;
}

/**
 * The state of a project cannot be known right now (the upstream is unreachable, or the relay is
 * not registered yet). Ingestion accepts the data anyway and processing waits for the state.
 */
export class ProjectStateUnavailable extends Error {
  /** Stable machine-readable identifier. */
  readonly code = "project_state_unavailable";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProjectStateUnavailable";
  }
}

/**
 * The default config of a project the relay has no config for (proxy and capture modes): no
 * scrubbing settings of its own, so the relay's `pii` policy decides.
 */
export const PERMISSIVE_CONFIG: ProjectConfig = {
  allowedDomains: ["*"],
  trustedRelays: [],
};

/** Accepts every well-formed key for every project, with the default config. */
export function permissiveProjectStates(): ProjectStates {
  return {
    get: (projectId) =>
      Promise.resolve({ projectId, disabled: false, publicKeys: undefined, config: PERMISSIVE_CONFIG }),
    close: () => undefined,
  };
}

/**
 * Decides whether a request authenticated with `publicKey` may send to the project, returning the
 * refusal the client gets otherwise. The request's origin is checked after, by {@link checkOrigin}.
 */
export function checkProjectAccess(project: ProjectState | undefined, publicKey: string): RelayError | undefined {
  if (!project) return new RelayError("unknown_key", "event submission rejected with_reason: ProjectId");
  if (project.disabled) {
    return new RelayError("project_disabled", "event submission rejected with_reason: ProjectId", {
      causes: [`project ${project.projectId} is disabled`],
    });
  }
  if (project.publicKeys) {
    const key = project.publicKeys.find((k) => k.publicKey === publicKey.split(".")[0]);
    if (!key) {
      return new RelayError("unknown_key", "event submission rejected with_reason: ProjectId", {
        causes: [`the key is not a key of project ${project.projectId}`],
      });
    }
    if (!key.isEnabled) {
      return new RelayError("key_disabled", "event submission rejected with_reason: DisabledKey", {
        causes: ["the key is disabled"],
      });
    }
  }
  return undefined;
}

/** Refuses a request from a web page the project does not allow (its `allowedDomains`). */
export function checkOrigin(project: ProjectState, origin: string | undefined, referer: string | undefined): RelayError | undefined {
  if (!isOriginAllowed(project.config.allowedDomains, origin, referer)) {
    return new RelayError("origin_not_allowed", "event submission rejected with_reason: Cors", {
      causes: [`origin ${origin ?? referer ?? ""} is not allowed for project ${project.projectId}`],
    });
  }
  return undefined;
}
