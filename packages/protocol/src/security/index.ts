export { CSP_DIRECTIVES, cspEventParts, normalizeCspUri, unsplitUri } from "./csp-report.js";
export type { CspEventParts, CspInterface } from "./csp-report.js";
export { SecurityReportError, backfillSecurityReport, detectSecurityReportType, securityReportToEvent } from "./security-report.js";
export type {
  SecurityReportContext,
  SecurityReportErrorCode,
  SecurityReportEvent,
  SecurityReportRequestInfo,
  SecurityReportType,
  UserAgentClientHints,
} from "./security-report.js";
