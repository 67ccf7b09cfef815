import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "@org/testkit";

/** One message captured from the original tool, with its fields. */
export interface WireVector {
  raw: string;
  label?: string;
  subject?: string;
  fields: {
    pub58: string;
    sig58: string;
    dest: string;
    time_hex: string;
    time_ns: string | null;
    uuid_hex: string;
    verb: string;
    flag: string;
    payload: string;
    sha256_hex: string;
  } | null;
  go_receiver_result?: string;
}

/** The captures of the original Go remaphore (`fixtures/remaphore-original/vectors.json`). */
export interface Vectors {
  keys: Record<"A" | "B", { pub58: string; priv58: string; seed_hex: string; pub_hex: string }>;
  configs: Record<"A.conf" | "B.conf", string>;
  gen_config_example: string;
  go_send: { wire: WireVector };
  js_send: { raw: string; fields: WireVector["fields"] };
  sender_variants: { wire: WireVector[] };
  lenient_and_rejects: { cases: WireVector[] };
  replay: WireVector;
  matcher_crash: { raw: string; receiver_destination: string };
  request_reply: unknown[];
}

export const vectors = JSON.parse(readFileSync(join(sharedDir(), "fixtures", "remaphore-original", "vectors.json"), "utf8")) as Vectors;
