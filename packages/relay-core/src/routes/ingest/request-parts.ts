import type { FastifyRequest } from "fastify";
import { RelayError } from "../../relay-error.js";

/** Path parameters of every `/api/{project_id}/...` endpoint. */
export interface ProjectParams {
  projectId: string;
}

const PROJECT_ID = /^\d{1,20}$/;

/** The first value of a request header. */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The project id of the path, normalized (`007` is `7`), or a 400. */
export function projectIdOf(request: FastifyRequest<{ Params: ProjectParams }>): string {
  const { projectId } = request.params;
  if (!PROJECT_ID.test(projectId)) {
    throw new RelayError("invalid_project_id", "invalid project id", { causes: [`"${projectId}" is not a number`] });
  }
  return String(BigInt(projectId));
}

/** The media type of the request without parameters, lower case (`application/json`). */
export function mediaType(request: FastifyRequest): string {
  return (header(request, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}
