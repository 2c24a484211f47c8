/**
 * The preview of one file: what extraction found — pages, sheets or sections,
 * and tables (first rows) — or why it could not (a corrupt or encrypted file),
 * with download, index and delete.
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/errors";
import type { ExtractedDocument, FileItem } from "../api/types";
import { Alert, Button, Spinner } from "../ui/form";
import { filesApi } from "./api";
import { formatBytes } from "./format";

const SECTION_CHARS = 3000;
const TABLE_ROWS = 20;

export function FilePreview(props: { file: FileItem; onDeleted: (file: FileItem) => void; onClose: () => void }) {
  const { file } = props;
  const [doc, setDoc] = useState<ExtractedDocument | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<"download" | "index" | "delete" | null>(null);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    let live = true;
    setDoc(null);
    setProblem(null);
    filesApi
      .extraction(file.id)
      .then((result) => live && setDoc(result))
      .catch((caught: unknown) => live && setProblem(describeError(caught)));
    return () => {
      live = false;
    };
  }, [file.id]);

  const act = async (what: "download" | "index" | "delete") => {
    setBusy(what);
    setNotice(null);
    try {
      if (what === "download") window.location.assign((await filesApi.link(file.id)).url);
      else if (what === "index")
        setNotice(`Indexed into the knowledge base: ${(await filesApi.index(file.id)).chunks} chunks.`);
      else props.onDeleted(await filesApi.remove(file.id));
    } catch (caught) {
      setNotice(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card preview" data-testid="file-preview" data-file-id={file.id}>
      <div className="card-header">
        <h2>{file.filename}</h2>
        <div className="row-actions">
          <Button size="sm" variant="secondary" busy={busy === "download"} onClick={() => void act("download")}>
            Download
          </Button>
          <Button size="sm" variant="secondary" busy={busy === "index"} onClick={() => void act("index")}>
            Index
          </Button>
          {confirming ? (
            <Button
              size="sm"
              variant="danger"
              busy={busy === "delete"}
              onClick={() => void act("delete")}
              data-testid="confirm-delete"
            >
              Delete for good
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          )}
          <Button size="sm" variant="ghost" onClick={props.onClose} aria-label="Close preview">
            ✕
          </Button>
        </div>
      </div>
      <div className="card-padded stack">
        <p className="muted small">
          {file.content_type} · {formatBytes(file.size)} · sha256 <code>{file.sha256.slice(0, 16)}…</code>
        </p>
        {notice ? <Alert kind="info">{notice}</Alert> : null}
        {problem ? (
          <Alert kind="warning" title="No text to show" testId="extraction-problem">
            {problem}
          </Alert>
        ) : doc ? (
          <ExtractedView doc={doc} />
        ) : (
          <Spinner label="Reading the document…" />
        )}
      </div>
    </section>
  );
}

function sectionLabel(section: ExtractedDocument["sections"][number]): string {
  if (section.kind === "page") return `Page ${section.index}`;
  if (section.kind === "sheet") return `Sheet ${section.title ?? section.index}`;
  return section.title ?? `Section ${section.index}`;
}

function ExtractedView({ doc }: { doc: ExtractedDocument }) {
  if (!doc.sections.length && !doc.tables.length) return <p className="empty">The document has no text.</p>;
  return (
    <div className="stack" data-testid="extracted">
      {doc.tables.map((table) => (
        <div key={table.name} className="table-wrap">
          <p className="strong small">
            {table.name} · {table.rows.length} rows
          </p>
          <table className="table table-compact" data-testid="extracted-table">
            <thead>
              <tr>
                {table.columns.map((column) => (
                  <th key={column}>{column}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.slice(0, TABLE_ROWS).map((row, r) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
                <tr key={r}>
                  {row.map((cell, c) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells have no identity beyond their position
                    <td key={c}>{cell === null ? "" : String(cell)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {doc.kind === "xlsx" || doc.kind === "csv"
        ? null
        : doc.sections.map((section) => (
            <article key={`${section.kind}-${section.index}`} className="extract-section">
              <p className="strong small">{sectionLabel(section)}</p>
              <pre className="extract-text">
                {section.text.length > SECTION_CHARS ? `${section.text.slice(0, SECTION_CHARS)}…` : section.text}
              </pre>
            </article>
          ))}
    </div>
  );
}
