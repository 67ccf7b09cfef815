import type { RelayService } from "@org/relay-core";
import { RelayCliError } from "./config-error.js";

/** Where an app listens, and the config key of its port (named when it cannot listen there). */
export interface ListenAddress {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** `relay.port` or `relay.tls_port`. */
  readonly key: "relay.port" | "relay.tls_port";
}

/** `host:port` as in a URL (IPv6 addresses in brackets). */
export function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Listens with an app of the relay and resolves with its port; an address that cannot be used stops start-up with its key. */
export async function listenOn(app: RelayService["app"], address: ListenAddress): Promise<number> {
  const { host, port, key } = address;
  try {
    await app.listen({ host, port });
  } catch (error) {
    const which = key === "relay.port" ? "" : ` (${key})`;
    throw new RelayCliError("startup_failed", `cannot listen on ${host}:${port}${which}: ${(error as Error).message}`, { cause: error });
  }
  const bound = app.server.address();
  return typeof bound === "object" && bound ? bound.port : port;
}
