/**
 * Masks secrets before values reach the audit log or a log line: any key that
 * looks like a credential keeps only the fact that it was set.
 */
const SECRET_KEY = /pass(word)?|secret|token(?!s)|api[_-]?key|authorization|cookie|credential|private|hash/i;

export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const masked: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    masked[key] = SECRET_KEY.test(key) && inner != null ? "***" : maskSecrets(inner);
  }
  return masked as T;
}
