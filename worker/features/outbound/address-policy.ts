/**
 * Which outbound destinations a user-steered fetch may reach. Only http(s), only
 * public unicast addresses: no loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, unique-local, reserved, multicast or
 * IPv4-in-IPv6 tricks. Hosts on the allowlist (host or host:port) skip the address
 * check; that is how tests and self-hosted Ollama-style endpoints are let through.
 */
import ipaddr from "ipaddr.js";

export type Blocked = { reason: string };

/** Names that are private by definition, whatever DNS says. */
const PRIVATE_NAMES = [/^localhost$/i, /\.localhost$/i, /\.local$/i, /\.internal$/i, /^metadata$/i, /\.home\.arpa$/i];

export function isAllowlisted(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowHosts.some((entry) => {
    const wanted = entry.toLowerCase();
    return wanted === host || wanted === `${host}:${port}` || wanted === `[${host}]:${port}`;
  });
}

/** Checks scheme and literal host; returns why a URL is refused, or null if it may proceed to DNS. */
export function checkUrl(url: URL): Blocked | null {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { reason: `scheme ${url.protocol} is not allowed; use http or https` };
  if (url.username || url.password) return { reason: "credentials in the URL are not allowed" };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return checkAddress(host);
  if (PRIVATE_NAMES.some((pattern) => pattern.test(host))) return { reason: `${host} is a private name` };
  return null;
}

/** Only globally routable unicast addresses pass. */
export function checkAddress(address: string): Blocked | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return { reason: `${address} is not an IP address` };
  }
  const range = parsed.range();
  return range === "unicast" ? null : { reason: `${address} is a ${range} address` };
}
