/**
 * Plain error responses of a Durable Object's `fetch` (a refused WebSocket upgrade),
 * in the API's one envelope `{error:{code,message,details}}` (worker/errors.ts), so the
 * Worker can hand them to the client as they are.
 */
import { errorBody } from "../../worker/errors";

export function jsonError(status: number, code: string, message: string): Response {
  return Response.json(errorBody(code, message), { status });
}
