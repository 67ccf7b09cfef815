import { isIPv4, isIPv6 } from "node:net";

/** An IP address as a number with its family, or one network (address and prefix length). */
interface Address {
  readonly v6: boolean;
  readonly value: bigint;
}

interface Network extends Address {
  readonly prefix: number;
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tailV4 = ipv4Value(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = head.split("::");
  const leftGroups = left === "" ? [] : left.split(":");
  const rightGroups = right === undefined || right === "" ? [] : right.split(":");
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill("0"), ...rightGroups];
  let value = groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses a literal IPv4 or IPv6 address (no zone, no brackets, no surrounding space). */
export function parseIpAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { v6: false, value: ipv4Value(text) };
  if (isIPv6(text) && !text.includes("%")) return { v6: true, value: ipv6Value(text) };
  return undefined;
}

/**
 * Parses `address` or `address/prefix` the way Relay's blocked-IP list does: a bare address is a
 * network of that one address, the address may have host bits set, and anything else (a name, a
 * prefix longer than the family allows, stray spaces) is not a network.
 */
export function parseIpNetwork(text: string): Network | undefined {
  const slash = text.indexOf("/");
  const address = parseIpAddress(slash === -1 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const bits = address.v6 ? 128 : 32;
  if (slash === -1) return { ...address, prefix: bits };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  return { ...address, prefix };
}

/** Whether the network contains the address (never across address families). */
export function networkContains(network: Network, address: Address): boolean {
  if (network.v6 !== address.v6) return false;
  const bits = BigInt(network.v6 ? 128 : 32);
  const shift = bits - BigInt(network.prefix);
  return network.value >> shift === address.value >> shift;
}
