/**
 * A thin layer over htmlparser2's DOM for the readers of HTML and of Office Open
 * XML (DOCX, XLSX): parse, walk children by tag name, read text.
 */
import { parseDocument } from "htmlparser2";

type Document = ReturnType<typeof parseDocument>;
export type DomNode = Document["children"][number];
export type DomElement = Extract<DomNode, { name: string; attribs: Record<string, string> }>;

export function parseXml(xml: string): Document {
  return parseDocument(xml, { xmlMode: true });
}

export function parseHtml(html: string): Document {
  return parseDocument(html, { lowerCaseTags: true, decodeEntities: true });
}

export function isElement(node: DomNode): node is DomElement {
  return "name" in node && "attribs" in node;
}

export function childElements(node: { children: DomNode[] }, name?: string): DomElement[] {
  return node.children.filter((child): child is DomElement => isElement(child) && (!name || child.name === name));
}

export function firstChild(node: { children: DomNode[] }, name: string): DomElement | undefined {
  return childElements(node, name)[0];
}

/** Every descendant element with this tag name, in document order. */
export function descendants(node: { children: DomNode[] }, name: string): DomElement[] {
  const found: DomElement[] = [];
  const walk = (parent: { children: DomNode[] }) => {
    for (const child of parent.children) {
      if (!isElement(child)) continue;
      if (child.name === name) found.push(child);
      walk(child);
    }
  };
  walk(node);
  return found;
}

/** Concatenated text of a node's text descendants. */
export function textOf(node: DomNode): string {
  if (node.type === "text") return (node as { data: string }).data;
  if (!("children" in node)) return "";
  return (node.children as DomNode[]).map(textOf).join("");
}
