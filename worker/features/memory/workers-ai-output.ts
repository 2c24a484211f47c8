/**
 * What Workers AI's embedding model may answer, and what we accept of it. Its
 * published schema: `{ shape: [n, dims], data: number[][], pooling }`, or
 * `{ request_id }` when a request went to the async queue. Anything but n
 * vectors of the model's dimensions is refused here, before it reaches the
 * vector index. Both failures are 503s with their own codes, never a bare 500.
 * Used by WorkersAiEmbedder (./embedder.ts).
 */
import { z } from "@hono/zod-openapi";
import { AppError } from "../../errors";

const EmbeddingOutput = z.object({
  shape: z.array(z.number()).optional(),
  data: z.array(z.array(z.number())),
});

/** The binding threw (capacity, network, bad input): say so without passing its message on. */
export function embedderUnavailable(model: string, error: unknown): AppError {
  console.error(JSON.stringify({ level: "error", msg: "Workers AI embedding failed", model, error: String(error) }));
  return new AppError(503, "embedder_unavailable", "The embedding model is unavailable right now; try again shortly", {
    model,
  });
}

/** The `count` vectors of `dimensions` numbers in `result`, or a 503 naming what was wrong. */
export function readEmbeddings(model: string, result: unknown, count: number, dimensions: number): number[][] {
  const refuse = (problem: string) => {
    console.error(JSON.stringify({ level: "error", msg: "Workers AI embedding malformed", model, problem }));
    return new AppError(
      503,
      "embedder_bad_response",
      `The embedding model answered ${problem}; expected ${count} vectors of ${dimensions} numbers`,
      { model, expected_vectors: count, expected_dimensions: dimensions },
    );
  };
  const parsed = EmbeddingOutput.safeParse(result);
  if (!parsed.success) throw refuse("without embeddings");
  const { data } = parsed.data;
  if (data.length !== count) throw refuse(`${data.length} vectors`);
  const wrong = data.find((vector) => vector.length !== dimensions);
  if (wrong) throw refuse(`vectors of ${wrong.length} numbers`);
  return data;
}
