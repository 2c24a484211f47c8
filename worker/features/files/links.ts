/**
 * Time-limited download links: `…/files/<id>/download?expires=<unix s>&signature=…`,
 * the signature an HMAC-SHA256 of the purpose, file id and expiry under the
 * server's JWT_SECRET. Anyone holding the link can download until it expires;
 * deleting the file ends every link to it.
 */
import { AppError } from "../../errors";
import { hmacSign, hmacVerify } from "../../lib/crypto";

const message = (fileId: string, expires: number) => `edgewise/file-link/v1\n${fileId}\n${expires}`;

function secretOf(env: Env): string {
  if (!env.JWT_SECRET) throw new Error("JWT_SECRET is not set; see README → Deploy");
  return env.JWT_SECRET;
}

export async function signDownloadLink(env: Env, fileId: string, expiresAt: number) {
  const expires = Math.floor(expiresAt / 1000);
  const signature = await hmacSign(secretOf(env), message(fileId, expires));
  const url = new URL(`/api/v1/files/${encodeURIComponent(fileId)}/download`, env.APP_URL);
  url.searchParams.set("expires", String(expires));
  url.searchParams.set("signature", signature);
  return { url: url.toString(), expires_at: new Date(expires * 1000).toISOString() };
}

/** Throws 403 for a wrong signature, 410 for an expired link; checks the signature first so nothing leaks. */
export async function verifyDownloadLink(env: Env, fileId: string, expires: number, signature: string) {
  if (!(await hmacVerify(secretOf(env), message(fileId, expires), signature))) {
    throw new AppError(403, "invalid_signature", "This download link is not valid");
  }
  if (expires * 1000 <= Date.now()) throw new AppError(410, "link_expired", "This download link has expired");
}
