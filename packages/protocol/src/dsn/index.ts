export { DsnError, dsnBaseUrl, dsnEndpointUrl, dsnToString, isDisabledDsn, parseDsn, requireNumericProjectId } from "./dsn.js";
export type { Dsn, DsnEndpoint, DsnErrorCode } from "./dsn.js";
