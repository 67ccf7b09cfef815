export { err, ok } from "@org/protocol/result";
export type { Err, Ok, Result } from "@org/protocol/result";
export { IdentityError } from "./identity-error.js";
export type { IdentityErrorCode } from "./identity-error.js";
export {
  PUBLIC_KEY_LENGTH,
  SECRET_KEY_LENGTH,
  SEED_LENGTH,
  SIGNATURE_LENGTH,
  generateKeyPair,
  keyPairFromSecretKey,
  keyPairFromSeed,
  signBytes,
  verifyBytes,
} from "./key-pair.js";
export type { KeyPair, RandomSource } from "./key-pair.js";
export { loadFastVerify } from "./fast-verify.js";
export type { VerifyFunction } from "./fast-verify.js";
export {
  decodeBase58PublicKey,
  decodeBase58SecretKey,
  decodeBase58Signature,
  decodeBase64Url,
  decodeBase64UrlPublicKey,
  decodeBase64UrlSecretKey,
  encodeBase58,
  encodeBase64Url,
  encodeBase64UrlSecretKey,
} from "./key-encoding.js";
export {
  DEFAULT_MAX_SIGNATURE_AGE_MS,
  DEFAULT_MAX_SIGNATURE_SKEW_MS,
  formatSignatureTime,
  signRequest,
  verifyRequest,
  verifySignedJson,
} from "./signed-request.js";
export type { VerifiedSignature, VerifyOptions } from "./signed-request.js";
export {
  credentialsPublicKey,
  credentialsToJson,
  generateCredentials,
  loadCredentials,
  parseCredentials,
  saveCredentials,
} from "./credentials.js";
export type { Credentials, CredentialsFile, LoadCredentialsOptions, SaveCredentialsOptions } from "./credentials.js";
