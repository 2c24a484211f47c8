/**
 * The files calls. Uploads go through XMLHttpRequest, the one browser API that
 * reports upload progress; everything else through the shared JSON client.
 */
import { accessToken, api, buildUrl } from "../api/client";
import { errorFromResponse } from "../api/errors";
import type { ExtractedDocument, FileItem, Page } from "../api/types";

export const filesApi = {
  list: (cursor: string | null, type: string, name: string) =>
    api.get<Page<FileItem>>("/files", { query: { limit: 25, cursor, content_type: type, q: name } }),
  extraction: (id: string) => api.get<ExtractedDocument>(`/files/${encodeURIComponent(id)}/extraction`),
  link: (id: string) =>
    api.post<{ url: string; expires_at: string }>(`/files/${encodeURIComponent(id)}/links`, { expires_in: 300 }),
  index: (id: string) => api.post<{ chunks: number }>(`/files/${encodeURIComponent(id)}/index`),
  remove: (id: string) => api.delete<FileItem>(`/files/${encodeURIComponent(id)}`),
};

/** Uploads one file as a streamed PUT, reporting bytes sent; resolves with the stored file. */
export async function uploadFile(
  file: File,
  onProgress: (sent: number, total: number) => void,
  options: { index: boolean; signal?: AbortSignal },
): Promise<FileItem> {
  const token = await accessToken();
  const url = buildUrl("/files", { filename: file.name, index: options.index ? "true" : undefined });
  const xhr = new XMLHttpRequest();
  const done = new Promise<FileItem>((resolve, reject) => {
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onerror = () => reject(new Error("The upload was interrupted; check your connection and try again"));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    xhr.onload = async () => {
      const response = new Response(xhr.responseText, {
        status: xhr.status,
        headers: { "content-type": xhr.getResponseHeader("content-type") ?? "application/json" },
      });
      if (response.ok) resolve((await response.json()) as FileItem);
      else reject(await errorFromResponse(response));
    };
  });
  options.signal?.addEventListener("abort", () => xhr.abort());
  xhr.open("PUT", url);
  xhr.setRequestHeader("authorization", `Bearer ${token}`);
  xhr.setRequestHeader("content-type", file.type || "application/octet-stream");
  xhr.send(file);
  return done;
}
