export { findRepoRoot, sharedDir } from "./shared-dir.js";
export { captureHeader, loadSdkCaptures, sdkCapturesDir } from "./sdk-captures.js";
export type { SdkCapture } from "./sdk-captures.js";
