/**
 * DNS checks for outbound hosts. Workers cannot resolve names themselves, so the
 * guard asks a DNS-over-HTTPS resolver (JSON API, `application/dns-json`) for A and
 * AAAA records and refuses a name that points at a private address (DNS rebinding
 * through a public name). Production uses Cloudflare's resolver; tests a local one.
 * Cached briefly per isolate, following the records' TTLs (capped).
 */
type DnsAnswer = { type: number; data: string; TTL?: number };
type DnsJson = { Status: number; Answer?: DnsAnswer[] };

const A = 1;
const AAAA = 28;
const MAX_CACHE_MS = 60_000;
const cache = new Map<string, { addresses: string[]; until: number }>();

export async function resolveHost(dohUrl: string, host: string, signal?: AbortSignal): Promise<string[]> {
  const key = `${dohUrl} ${host}`;
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.addresses;
  const answers = (await Promise.all([query(dohUrl, host, "A", signal), query(dohUrl, host, "AAAA", signal)])).flat();
  const addresses = answers.filter((a) => a.type === A || a.type === AAAA).map((a) => a.data);
  const ttl = Math.min(MAX_CACHE_MS, ...answers.map((a) => (a.TTL ?? 60) * 1000));
  cache.set(key, { addresses, until: Date.now() + ttl });
  return addresses;
}

async function query(dohUrl: string, host: string, type: "A" | "AAAA", signal?: AbortSignal) {
  const url = new URL(dohUrl);
  url.searchParams.set("name", host);
  url.searchParams.set("type", type);
  const res = await fetch(url, { headers: { accept: "application/dns-json" }, signal });
  if (!res.ok) throw new Error(`DNS resolver answered ${res.status}`);
  const body = (await res.json()) as DnsJson;
  return body.Answer ?? [];
}
