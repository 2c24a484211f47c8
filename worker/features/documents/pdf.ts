/**
 * PDF reader: text page by page with unpdf (Mozilla's PDF.js built for
 * serverless runtimes; runs in workerd). Encrypted PDFs (PDF.js asks for a
 * password) and damaged ones become DocumentErrors.
 */
import { DocumentError, type ExtractedDocument, type Section } from "./model";

function documentError(error: unknown): DocumentError {
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "PasswordException" || /password/i.test(message)) {
    return new DocumentError(
      "encrypted_document",
      "This PDF is password-protected (encrypted); remove the password and upload it again",
    );
  }
  return new DocumentError("corrupt_document", `This PDF is damaged and cannot be read (${message})`);
}

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  let pages: string[];
  let info: Record<string, unknown> = {};
  try {
    // Loaded on first use: PDF.js is 1.6 MB the Worker need not parse at start-up.
    const { extractText, getDocumentProxy } = await import("unpdf");
    // PDF.js takes ownership of (detaches) the buffer it is given; hand it a copy.
    const pdf = await getDocumentProxy(bytes.slice());
    const result = await extractText(pdf, { mergePages: false });
    pages = result.text;
    info = ((await pdf.getMetadata().catch(() => ({ info: {} }))).info ?? {}) as Record<string, unknown>;
    await pdf.destroy();
  } catch (error) {
    throw documentError(error);
  }
  const sections: Section[] = pages.map((text, i) => ({ kind: "page", index: i + 1, text: text.trim() }));
  const title = typeof info.Title === "string" && info.Title ? info.Title : undefined;
  return {
    kind: "pdf",
    text: sections.map((section) => section.text).join("\n\n"),
    sections,
    headings: [],
    tables: [],
    metadata: { pages: pages.length, ...(title ? { title } : {}) },
  };
}
