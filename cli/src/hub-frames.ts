/**
 * The live hub's server frames, parsed with the hub's own schema
 * (shared/live-hub/protocol.ts): a frame that is not JSON or of a type this CLI does
 * not know is skipped, so a newer server can add frames without breaking older clients.
 */
import { ServerMessage, Topic } from "../../shared/live-hub/protocol";
import { parseJsonFrame } from "../../shared/parse-frame";

export type ServerFrame = ServerMessage;

export const parseFrame = (data: unknown): ServerFrame | null => parseJsonFrame(ServerMessage, data);

/**
 * A bad topic makes the server refuse the upgrade, and a WebSocket client only
 * learns "handshake failed", so topics are checked here where the reason can be shown.
 */
export function invalidTopics(topics: readonly string[]): string[] {
  return topics.filter((topic) => !Topic.safeParse(topic).success);
}
