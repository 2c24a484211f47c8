/**
 * Drag-and-drop (or pick) files to upload, each with its own progress bar,
 * speed and outcome; the server's refusal (too large, type not accepted) is
 * shown on the file it concerns.
 */
import { type DragEvent, useRef, useState } from "react";
import { describeError } from "../api/errors";
import type { FileItem } from "../api/types";
import { Button } from "../ui/form";
import { uploadFile } from "./api";
import { formatBytes } from "./format";

type Upload = {
  key: string;
  name: string;
  sent: number;
  total: number;
  state: "uploading" | "done" | "failed";
  error?: string;
  started: number;
};

export function UploadZone({ onUploaded }: { onUploaded: (file: FileItem) => void }) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [index, setIndex] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const patch = (key: string, change: Partial<Upload>) =>
    setUploads((list) => list.map((upload) => (upload.key === key ? { ...upload, ...change } : upload)));

  const start = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const key = `${file.name}-${Date.now()}-${Math.random()}`;
      setUploads((list) => [
        { key, name: file.name, sent: 0, total: file.size, state: "uploading", started: Date.now() },
        ...list,
      ]);
      uploadFile(file, (sent, total) => patch(key, { sent, total }), { index })
        .then((stored) => {
          patch(key, { state: "done", sent: stored.size });
          onUploaded(stored);
        })
        .catch((caught: unknown) => patch(key, { state: "failed", error: describeError(caught) }));
    }
  };

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    start(event.dataTransfer.files);
  };

  return (
    <section className="card card-padded stack">
      <section
        aria-label="Drop files to upload"
        className={`drop-zone${dragging ? " drop-zone-active" : ""}`}
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
      >
        <p className="strong">Drop files here</p>
        <p className="muted small">PDF, Word, Excel, CSV, JSON, Markdown, HTML, text or images</p>
        <Button variant="secondary" size="sm" onClick={() => input.current?.click()}>
          Choose files…
        </Button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(event) => {
            start(event.target.files);
            event.target.value = "";
          }}
        />
      </section>
      <label className="checkbox small">
        <input type="checkbox" checked={index} onChange={(event) => setIndex(event.target.checked)} />
        Add their text to the knowledge base
      </label>
      {uploads.length ? (
        <ul className="upload-list" data-testid="uploads">
          {uploads.map((upload) => (
            <UploadRow key={upload.key} upload={upload} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function UploadRow({ upload }: { upload: Upload }) {
  const percent = upload.total ? Math.min(100, Math.round((upload.sent / upload.total) * 100)) : 0;
  const seconds = Math.max((Date.now() - upload.started) / 1000, 0.001);
  const status =
    upload.state === "failed"
      ? upload.error
      : upload.state === "done"
        ? `Uploaded ${formatBytes(upload.total)}`
        : `${percent}% · ${formatBytes(upload.sent)} of ${formatBytes(upload.total)} · ${formatBytes(upload.sent / seconds)}/s`;
  return (
    <li className={`upload upload-${upload.state}`} data-testid="upload" data-state={upload.state}>
      <div className="upload-head">
        <span className="strong">{upload.name}</span>
        <span className={upload.state === "failed" ? "error-text small" : "muted small"}>{status}</span>
      </div>
      <progress max={100} value={upload.state === "done" ? 100 : percent} aria-label={`Uploading ${upload.name}`} />
    </li>
  );
}
