/**
 * The CLI checks each server answer at run time with a small loose zod schema of the
 * fields it reads (the server is another program: its answers are checked, not cast).
 * `reads<Dto>()(schema)` ties such a schema to the Worker's own zod schema at compile
 * time, through a type-only import: if the Worker stops sending a field the CLI reads,
 * or changes its type, the CLI no longer builds. Nothing of the Worker is bundled.
 */
import type { z } from "zod";

export const reads =
  <Dto>() =>
  <S extends z.ZodType>(schema: S & ([Dto] extends [z.input<S>] ? unknown : never)): S =>
    schema;
