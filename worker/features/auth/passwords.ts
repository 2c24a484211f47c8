/**
 * Password hashing: PBKDF2-SHA256 through WebCrypto with a per-user random salt.
 * The stored string carries its parameters (`pbkdf2-sha256$iterations$salt$hash`),
 * so raising the iteration count later leaves old hashes verifiable.
 * Workers cap PBKDF2 at 100,000 iterations, which is the default here.
 */
import { timingSafeEqual } from "../../lib/crypto";
import { fromBase64Url, toBase64Url, utf8 } from "../../lib/encoding";

const ALGORITHM = "pbkdf2-sha256";

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey("raw", utf8.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, 256);
  return new Uint8Array(bits);
}

/** PBKDF2_ITERATIONS from the environment (tests lower it), 100,000 by default. */
export function passwordIterations(env: Pick<Env, "PBKDF2_ITERATIONS">): number {
  return Number(env.PBKDF2_ITERATIONS) || 100_000;
}

export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return [ALGORITHM, iterations, toBase64Url(salt), toBase64Url(hash)].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algorithm, iterations, salt, hash] = stored.split("$");
  if (algorithm !== ALGORITHM || !iterations || !salt || !hash) return false;
  const derived = await derive(password, fromBase64Url(salt), Number(iterations));
  return timingSafeEqual(toBase64Url(derived), hash);
}

/** A hash to verify against when the email is unknown, so timing does not reveal accounts. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(iterations: number): Promise<string> {
  decoyHash ??= hashPassword(crypto.randomUUID(), iterations);
  return decoyHash;
}
