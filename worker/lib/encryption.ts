/**
 * Encryption at rest for secrets we must store readable (a replayed response that
 * carries an API key secret; later, provider keys and OAuth tokens): AES-256-GCM
 * with a key derived by HKDF from the ENCRYPTION_KEY secret and a purpose label,
 * so one purpose's ciphertext never decrypts as another's.
 * Format: `v1.<iv>.<ciphertext+tag>` in base64url.
 */
import { fromBase64Url, toBase64Url, utf8 } from "./encoding";

const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string, purpose: string): Promise<CryptoKey> {
  if (!secret) throw new Error("ENCRYPTION_KEY is not set; see README → Deploy");
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: utf8.encode("edgewise/v1"), info: utf8.encode(purpose) },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keys.set(cacheKey, key);
  }
  return key;
}

export async function encryptText(secret: string, purpose: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8.encode(purpose) },
    await keyFor(secret, purpose),
    utf8.encode(plaintext),
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** The plaintext, or an error if the text was not sealed with this secret and purpose. */
export async function decryptText(secret: string, purpose: string, sealed: string): Promise<string> {
  const [version, iv, body] = sealed.split(".");
  if (version !== "v1" || !iv || !body) throw new Error("not an encrypted value");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: utf8.encode(purpose) },
    await keyFor(secret, purpose),
    fromBase64Url(body),
  );
  return utf8.decode(new Uint8Array(plain));
}
