/**
 * /files: upload by drag-and-drop with progress, list and filter, preview extracted
 * text and tables, download, delete. Extraction statuses update live from the hub.
 */
import { useCallback, useState } from "react";
import type { FileItem } from "../api/types";
import { formatDateTime, formatRelative } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { usePages } from "../ui/use-pages";
import { filesApi } from "./api";
import { FilePreview } from "./file-preview";
import { formatBytes } from "./format";
import { useLiveExtractions, withLiveExtraction } from "./live";
import { UploadZone } from "./upload-zone";
import "./files.css";

const TYPES = [
  ["", "All types"],
  ["application/pdf", "PDF"],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"],
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"],
  ["text/*", "Text (CSV, Markdown, HTML…)"],
  ["application/json", "JSON"],
  ["image/*", "Images"],
] as const;

const STATUS_BADGE: Record<FileItem["extraction"]["status"], string> = {
  pending: "badge-muted",
  done: "badge-success",
  failed: "badge-danger",
  unsupported: "badge-muted",
};

export function FilesPage() {
  const [type, setType] = useState("");
  const [name, setName] = useState("");
  const [selected, setSelected] = useState<FileItem | null>(null);
  const loader = useCallback((cursor: string | null) => filesApi.list(cursor, type, name.trim()), [type, name]);
  const files = usePages<FileItem>(loader);
  const live = useLiveExtractions();

  return (
    <>
      <PageHeader title="Files" description="Documents and data you and your agents work with." />
      <UploadZone onUploaded={() => files.reload()} />
      {selected ? (
        <FilePreview
          key={selected.id}
          file={withLiveExtraction(selected, live)}
          onClose={() => setSelected(null)}
          onDeleted={() => {
            setSelected(null);
            files.reload();
          }}
        />
      ) : null}
      <section className="card">
        <div className="card-header">
          <h2>Your files</h2>
          <div className="row-actions">
            <input
              className="input-sm"
              placeholder="Name contains…"
              value={name}
              onChange={(event) => setName(event.target.value)}
              aria-label="Filter by name"
            />
            <select
              className="input-sm"
              value={type}
              onChange={(event) => setType(event.target.value)}
              aria-label="Filter by type"
            >
              {TYPES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <PagedList pages={files} loadingLabel="Loading files…" empty="No files yet. Drop one above.">
          {(items) => (
            <div className="table-wrap">
              <table className="table" data-testid="files-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Type</th>
                    <th>Size</th>
                    <th>Text</th>
                    <th>Uploaded</th>
                  </tr>
                </thead>
                <tbody>
                  {items
                    .map((listed) => withLiveExtraction(listed, live))
                    .map((file) => (
                      <tr
                        key={file.id}
                        data-testid="file-row"
                        data-file-id={file.id}
                        className={`clickable${selected?.id === file.id ? " row-selected" : ""}`}
                        onClick={() => setSelected(file)}
                      >
                        <td className="strong">{file.filename}</td>
                        <td className="muted small">{file.content_type}</td>
                        <td className="nowrap">{formatBytes(file.size)}</td>
                        <td>
                          <span
                            className={`badge ${STATUS_BADGE[file.extraction.status]}`}
                            title={file.extraction.error?.message}
                            data-testid="extraction-status"
                          >
                            {file.extraction.status}
                          </span>
                          {file.indexed_at ? <span className="badge badge-success">indexed</span> : null}
                        </td>
                        <td className="nowrap" title={formatDateTime(file.created_at)}>
                          {formatRelative(file.created_at)}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
    </>
  );
}
