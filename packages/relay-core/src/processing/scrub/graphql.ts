import { contextType } from "./item-schema.js";

type Json = Record<string, unknown>;

const FILTERED = "[Filtered]";

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function filterKeys(keys: ReadonlySet<string>, data: Json): number {
  let changes = 0;
  for (const [key, value] of Object.entries(data)) {
    if (isObject(value)) changes += filterKeys(keys, value);
    else if (keys.has(key)) {
      data[key] = FILTERED;
      changes++;
    }
  }
  return changes;
}

/**
 * Filters a GraphQL request's variables and the response data they name, as Relay does before its
 * data scrubbing rules run (without `_meta` remarks). A response to a query without variables
 * loses its `data` whole, since its values may be anything the query spelled out. Returns how many
 * values changed.
 */
export function scrubGraphql(event: Json): number {
  const request = event.request;
  if (!isObject(request) || !isObject(request.data)) return 0;
  if (typeof request.api_target !== "string" || request.api_target.toLowerCase() !== "graphql") return 0;
  const keys = new Set<string>();
  let changes = 0;
  const variables = request.data.variables;
  if (isObject(variables)) {
    for (const key of Object.keys(variables)) {
      keys.add(key);
      variables[key] = FILTERED;
      changes++;
    }
  }
  const contexts = event.contexts;
  const response = isObject(contexts) ? contexts.response : undefined;
  if (!isObject(response) || contextType("response", response) !== "response" || !isObject(response.data)) return changes;
  const data = response.data;
  if (!isObject(data.data)) return changes;
  if (keys.size > 0) return changes + filterKeys(keys, data.data);
  delete data.data;
  return changes + 1;
}
