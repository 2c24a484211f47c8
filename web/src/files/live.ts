/**
 * Live extraction outcomes from the hub (`file.extracted`, `file.extraction_failed`,
 * published by the file-jobs consumer), so the files page shows a row's new
 * status without polling or a reload.
 */
import { useMemo } from "react";
import type { FileItem } from "../api/types";
import { useHub } from "../events/hub-context";

/** What an event tells: the outcome, not when (`extracted_at` stays unknown until a reload). */
type Extraction = Omit<FileItem["extraction"], "extracted_at">;

type EventData = { file_id?: unknown; code?: unknown; message?: unknown };

function extractionOf(type: string, data: EventData): Extraction | undefined {
  if (type === "file.extracted") return { status: "done", error: null };
  if (type !== "file.extraction_failed") return undefined;
  return { status: "failed", error: { code: String(data.code ?? "error"), message: String(data.message ?? "") } };
}

/** Per file id, the newest extraction outcome the feed has seen. */
export function useLiveExtractions(): Map<string, Extraction> {
  const { snapshot } = useHub();
  return useMemo(() => {
    const outcomes = new Map<string, Extraction>();
    // Events arrive newest first: the first one seen for a file wins.
    for (const event of snapshot.events) {
      const data = (event.data ?? {}) as EventData;
      const extraction = typeof data.file_id === "string" ? extractionOf(event.type, data) : undefined;
      if (extraction && !outcomes.has(data.file_id as string)) outcomes.set(data.file_id as string, extraction);
    }
    return outcomes;
  }, [snapshot.events]);
}

/** The file with its live extraction status, when the hub has news of it. */
export function withLiveExtraction(file: FileItem, live: Map<string, Extraction>): FileItem {
  const extraction = live.get(file.id);
  return extraction ? { ...file, extraction: { ...extraction, extracted_at: null } } : file;
}
