/**
 * Querying an extracted table (a sheet, a CSV, a table in a document): filter,
 * sort, group and aggregate rows, in memory. Pure; used by the table route and
 * the agents' `query_table` tool.
 */
import { z } from "@hono/zod-openapi";
import { AppError } from "../../errors";
import { type Cell, CellSchema, type Table } from "./model";

const Column = z.string().min(1).max(200);

export const TableQuerySchema = z
  .object({
    table: z
      .union([z.string().min(1).max(200), z.number().int().min(1)])
      .optional()
      .openapi({ description: "Table name (a sheet's name) or 1-based position; the first table if omitted" }),
    columns: z.array(Column).max(100).optional().openapi({ description: "Columns to return (all if omitted)" }),
    filters: z
      .array(
        z.object({
          column: Column,
          op: z.enum(["eq", "ne", "gt", "gte", "lt", "lte", "contains", "in"]),
          value: z.union([CellSchema, z.array(CellSchema).max(100)]),
        }),
      )
      .max(20)
      .default([]),
    group_by: z.array(Column).max(5).default([]),
    aggregates: z
      .array(
        z.object({
          fn: z.enum(["count", "sum", "avg", "min", "max"]),
          column: Column.optional().openapi({ description: "Not needed for count" }),
          as: z.string().min(1).max(100).optional(),
        }),
      )
      .max(20)
      .default([]),
    sort: z
      .array(z.object({ column: Column, direction: z.enum(["asc", "desc"]).default("asc") }))
      .max(5)
      .default([]),
    limit: z.number().int().min(1).max(1000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict()
  .openapi("TableQuery");
export type TableQuery = z.infer<typeof TableQuerySchema>;

export const TableResultSchema = z
  .object({
    table: z.string(),
    columns: z.array(z.string()),
    rows: z.array(z.array(CellSchema)),
    matched_rows: z.number().int().openapi({ description: "Rows (or groups) before offset and limit" }),
  })
  .openapi("TableResult");
export type TableResult = z.infer<typeof TableResultSchema>;

export function pickTable(tables: Table[], which: string | number | undefined): Table {
  const table =
    which === undefined
      ? tables[0]
      : typeof which === "number"
        ? tables[which - 1]
        : tables.find((t) => t.name === which);
  if (!table) {
    throw new AppError(404, "table_not_found", "No such table in this document", {
      tables: tables.map((t) => t.name),
    });
  }
  return table;
}

function columnIndex(table: Table, column: string): number {
  const index = table.columns.indexOf(column);
  if (index < 0) {
    throw new AppError(422, "unknown_column", `The table has no column "${column}"`, { columns: table.columns });
  }
  return index;
}

function compare(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function matches(cell: Cell, op: TableQuery["filters"][number]["op"], value: Cell | Cell[]): boolean {
  if (op === "in") return Array.isArray(value) && value.some((v) => compare(cell, v) === 0);
  if (Array.isArray(value)) return false;
  if (op === "contains")
    return String(cell ?? "")
      .toLowerCase()
      .includes(String(value ?? "").toLowerCase());
  const order = compare(cell, value);
  if (op === "eq") return order === 0;
  if (op === "ne") return order !== 0;
  if (cell === null || value === null) return false;
  return op === "gt" ? order > 0 : op === "gte" ? order >= 0 : op === "lt" ? order < 0 : order <= 0;
}

function aggregate(fn: TableQuery["aggregates"][number]["fn"], values: Cell[]): Cell {
  if (fn === "count") return values.length;
  const numbers = values.filter((v): v is number => typeof v === "number");
  if (fn === "sum") return numbers.reduce((sum, v) => sum + v, 0);
  if (!numbers.length) return null;
  if (fn === "avg") return numbers.reduce((sum, v) => sum + v, 0) / numbers.length;
  return fn === "min" ? Math.min(...numbers) : Math.max(...numbers);
}

function grouped(table: Table, rows: Cell[][], query: TableQuery): { columns: string[]; rows: Cell[][] } {
  const keys = query.group_by.map((column) => columnIndex(table, column));
  const aggregates = query.aggregates.map((agg) => ({
    ...agg,
    index: agg.column ? columnIndex(table, agg.column) : -1,
    label: agg.as ?? (agg.column ? `${agg.fn}(${agg.column})` : agg.fn),
  }));
  const groups = new Map<string, Cell[][]>();
  for (const row of rows) {
    const key = JSON.stringify(keys.map((i) => row[i] ?? null));
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  if (!groups.size && !keys.length) groups.set("[]", []);
  const out = [...groups].map(([key, members]) => [
    ...(JSON.parse(key) as Cell[]),
    ...aggregates.map((agg) =>
      aggregate(agg.fn, agg.index < 0 ? members.map(() => 1) : members.map((r) => r[agg.index] ?? null)),
    ),
  ]);
  return { columns: [...query.group_by, ...aggregates.map((agg) => agg.label)], rows: out };
}

export function queryTable(table: Table, query: TableQuery): TableResult {
  const filters = query.filters.map((filter) => ({ ...filter, index: columnIndex(table, filter.column) }));
  let rows = table.rows.filter((row) => filters.every((f) => matches(row[f.index] ?? null, f.op, f.value)));
  let columns = table.columns;
  if (query.group_by.length || query.aggregates.length) ({ columns, rows } = grouped(table, rows, query));
  const position = (column: string) => {
    const index = columns.indexOf(column);
    if (index < 0) throw new AppError(422, "unknown_column", `The result has no column "${column}"`, { columns });
    return index;
  };
  const sorts = query.sort.map((s) => ({ index: position(s.column), sign: s.direction === "desc" ? -1 : 1 }));
  if (sorts.length) {
    rows = [...rows].sort((a, b) => {
      for (const s of sorts) {
        const order = compare(a[s.index] ?? null, b[s.index] ?? null);
        if (order) return order * s.sign;
      }
      return 0;
    });
  }
  const picked = query.columns ? query.columns.map(position) : columns.map((_, i) => i);
  return {
    table: table.name,
    columns: picked.map((i) => columns[i]!),
    rows: rows.slice(query.offset, query.offset + query.limit).map((row) => picked.map((i) => row[i] ?? null)),
    matched_rows: rows.length,
  };
}
