export {
  AuthError,
  MAX_PROTOCOL_VERSION,
  buildAuthHeader,
  buildRelayAuthHeader,
  isValidPublicKey,
  parseAuthHeader,
  parseProtocolVersion,
} from "./auth-header.js";
export type { AuthErrorCode, AuthFields, AuthHeaderInput, RelayAuthHeaderInput } from "./auth-header.js";
export { extractAuth } from "./extract-auth.js";
export type { AuthRequest, AuthSource, HeaderSource, RequestAuth } from "./extract-auth.js";
export { LEGACY_SIGNATURE_MAX_AGE_MS, computeLegacySignature, verifyLegacySignature } from "./legacy-signature.js";
export type { LegacySignatureInput } from "./legacy-signature.js";
