import fc from "fast-check";

/**
 * Every fast-check property in the repository runs a fixed number of times (unless the test asks
 * for another fixed number), so how long it takes depends on its generators, never on luck or on
 * the machine. On failure fast-check prints the seed and path of the counterexample; run again with
 * `FC_SEED=<seed>` to replay it (add `path` in the test's own options to go straight to it).
 */
const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === "" ? undefined : Number(process.env.FC_SEED);
if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${process.env.FC_SEED ?? ""}`);

fc.configureGlobal({
  numRuns: 100,
  ...(seed === undefined ? {} : { seed }),
});
