/**
 * ChatSession: one Durable Object (SQLite) per chat session. Holds the live
 * conversation, runs turns of the agent pipeline, and streams them to clients.
 */
import { DurableObject } from "cloudflare:workers";

export class ChatSession extends DurableObject<Env> {}
