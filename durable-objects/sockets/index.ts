/**
 * The socket kit of the Durable Objects that hold hibernating WebSockets (ChatSession,
 * UserHub, GraphSync): send a frame, parse a client frame with its protocol's zod
 * schema, ping/pong, the close echo, closing a credential's sockets, error responses.
 */
export { type BadFrame, parseClientFrame } from "./client-frame";
export { closeSocketsOf } from "./close-sockets";
export {
  answerPingsWhileAsleep,
  assertNever,
  echoClose,
  PING_FRAME,
  PONG_FRAME,
  pong,
  sendFrame,
} from "./frames";
export { jsonError } from "./responses";
