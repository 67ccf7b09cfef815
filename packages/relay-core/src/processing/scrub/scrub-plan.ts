import { convertScrubbingSettings } from "./convert-settings.js";
import { compilePiiConfig, type PiiConfigProblem } from "./pii-config.js";
import type { PlanApplication, ScrubPlan } from "./pii-processor.js";
import { mergeScrubbingPolicies, type ScrubbingPolicy } from "./scrubbing-policy.js";
import type { Selector } from "./selector.js";
import { VT } from "./value-type.js";

/** The scrubbing parts of a project's config. */
export interface ScrubbingConfig {
  /** Advanced data scrubbing rules, in Relay's `piiConfig` shape. */
  readonly piiConfig?: unknown;
  /** The project's `datascrubbingSettings`. */
  readonly datascrubbingSettings?: ScrubbingPolicy | undefined;
}

/** A path selector starting `$attachments.<key>`, the kind that turns attachment scrubbing on in Relay. */
function isSimpleAttachmentSelector(selector: Selector): boolean {
  if (selector.kind !== "path") return false;
  const [first, second] = selector.items;
  return first?.kind === "type" && first.type === VT.attachments && second?.kind === "key";
}

/** A compiled plan and what in the project's `piiConfig` could not be used. */
export interface CompiledScrubbing {
  readonly plan: ScrubPlan;
  readonly problems: readonly PiiConfigProblem[];
}

/**
 * Compiles a project's scrubbing: its `piiConfig` first, then the rules Relay derives from its
 * `datascrubbingSettings` merged with the relay's own `pii` policy. Bad rules are left out and
 * reported; the rest apply.
 */
export function compileScrubbing(config: ScrubbingConfig, global: ScrubbingPolicy): CompiledScrubbing {
  const advanced = compilePiiConfig(config.piiConfig);
  const policy = mergeScrubbingPolicies(global, config.datascrubbingSettings);
  const converted = convertScrubbingSettings(policy);
  const legacy = converted ? compilePiiConfig(converted, { caseInsensitiveKeys: true }) : { applications: [], problems: [] };
  // The converted rules are built here from fixed selectors; a problem there is a bug, not bad input.
  if (legacy.problems.length > 0) throw new Error(`converted data scrubbing settings do not compile: ${JSON.stringify(legacy.problems)}`);
  const applications: PlanApplication[] = [
    ...advanced.applications.map((app) => ({ ...app, legacy: false })),
    ...legacy.applications.map((app) => ({ ...app, legacy: true })),
  ];
  const scrubAttachments = advanced.applications.some(({ selector }) => isSimpleAttachmentSelector(selector));
  return { plan: { applications, scrubGraphql: policy.scrubData === true, scrubAttachments }, problems: advanced.problems };
}

const MAX_CACHED = 256;

/**
 * Compiles each project's scrubbing once per config revision: keyed by the config object where
 * it is shared, else by its content (configs that crossed to a worker thread are copies).
 */
export class ScrubPlanCache {
  private readonly byObject = new WeakMap<object, { readonly global: ScrubbingPolicy; readonly compiled: CompiledScrubbing }>();
  private readonly byText = new Map<string, CompiledScrubbing>();

  /** The compiled scrubbing of a config under the relay's policy. */
  get(config: ScrubbingConfig, global: ScrubbingPolicy): CompiledScrubbing {
    const cached = this.byObject.get(config);
    if (cached?.global === global) return cached.compiled;
    const text = JSON.stringify([config.piiConfig ?? null, config.datascrubbingSettings ?? null, global]);
    let compiled = this.byText.get(text);
    if (compiled) {
      // Refresh its place so that busy projects stay cached.
      this.byText.delete(text);
    } else {
      compiled = compileScrubbing(config, global);
    }
    this.byText.set(text, compiled);
    if (this.byText.size > MAX_CACHED) this.byText.delete(this.byText.keys().next().value!);
    this.byObject.set(config, { global, compiled });
    return compiled;
  }
}
