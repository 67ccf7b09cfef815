import type { RejectionReason } from "@org/messaging";

/**
 * The reason the original logs as `Message error: <reason>` for a dropped message, or undefined
 * for the drops it makes silently (a destination, `-p`, `-v` or `-u` that does not match). Replays
 * are ours: the original runs them.
 */
export function originalReason(reason: RejectionReason): string | undefined {
  switch (reason) {
    case "malformed":
      return "message format corrupt";
    case "unknown_sender":
    case "verb_not_allowed":
      return "peer key or permission not known";
    case "bad_signature":
      return "signature corrupt";
    case "skew":
      return "message outside of time window";
    case "replay":
      return "message replayed";
    case "overflow":
      return "nats: slow consumer, messages dropped";
    case "destination":
    case "other_sender":
    case "expired":
      return undefined;
  }
}
