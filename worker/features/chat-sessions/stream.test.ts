/**
 * Resumable streams: a client that reconnects with the last seq it saw (SSE
 * `?after=` or Last-Event-ID, WebSocket `resume`) gets exactly the events it
 * missed, in order, and then the live ones — never a duplicate.
 */

import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KEEP_EVENTS } from "../../../durable-objects/chat-session/event-log";
import type { StreamEvent } from "../../../shared/chat-session/protocol";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import {
  createAgent,
  createSession,
  follow,
  isTurnEnd,
  openStream,
  scriptedModel,
  sendMessage,
  sessionObject,
  sessionSocket,
  socketEvents,
} from "../../../test/worker/support/chat";
import { expectError } from "../../../test/worker/support/envelope";
import { setModelOverride } from "./deps";

let user: TestUser;
beforeAll(async () => {
  user = await createUser();
});
afterEach(() => setModelOverride({ mock: null }));

/** A model that streams two pieces, holds until released, then streams two more. */
function heldModel() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const model = scriptedModel([{ text: ["one ", "two ", "three ", "four"], holdAfter: 2, release: released }]);
  setModelOverride({ mock: () => model });
  return { release };
}

const seqs = (events: StreamEvent[]) => events.map((e) => e.seq);
const textOf = (events: StreamEvent[]) =>
  events
    .filter((e) => e.type === "text.delta")
    .map((e) => (e.data as { text: string }).text)
    .join("");

async function sessionWithTurn() {
  const sessionId = await createSession(user, await createAgent(user));
  return { sessionId, accepted: await sendMessage(user, sessionId, "count to four") };
}

describe("SSE", () => {
  it("a reconnect with ?after= gets exactly the missed events, then the live ones", async () => {
    const { release } = heldModel();
    const { sessionId, accepted } = await sessionWithTurn();
    const first = await openStream(user, sessionId, accepted.stream_after);
    const seen = [...(await first.until((_, all) => textOf(all) === "one two "))];
    await first.close();

    const second = await openStream(user, sessionId, seen.at(-1)!.seq);
    release();
    const rest = await second.until(isTurnEnd);
    await second.close();
    const all = [...seen, ...rest];
    expect(seqs(all)).toEqual(seqs(all).map((_, i) => accepted.stream_after + 1 + i));
    expect(textOf(all)).toBe("one two three four");
    expect(all.at(-1)?.type).toBe("turn.completed");

    const replay = await follow(user, sessionId, accepted.stream_after);
    expect(replay).toEqual(all);
  });

  it("Last-Event-ID (what EventSource sends back) wins over ?after=", async () => {
    heldModel().release();
    const { sessionId, accepted } = await sessionWithTurn();
    const all = await follow(user, sessionId, accepted.stream_after);
    const middle = all[3]!.seq;
    const resumed = await openStream(user, sessionId, 0, { "last-event-id": String(middle) });
    const events = await resumed.until(isTurnEnd);
    await resumed.close();
    expect(events).toEqual(all.slice(4));

    const bad = await call(`/api/v1/sessions/${sessionId}/stream`, {
      token: user.accessToken,
      headers: { "last-event-id": "not-a-seq" },
    });
    await expectError(bad, 400, "invalid_last_event_id");
  });

  it("replays the whole session from the start and follows a later turn live", async () => {
    heldModel().release();
    const { sessionId, accepted } = await sessionWithTurn();
    await follow(user, sessionId, accepted.stream_after);
    const reader = await openStream(user, sessionId);
    await reader.until((e) => e.type === "turn.completed");
    const second = await sendMessage(user, sessionId, "again");
    const events = await reader.until((e, all) => isTurnEnd(e) && all.filter(isTurnEnd).length === 2);
    await reader.close();
    expect(events[0]?.seq).toBe(1);
    expect(seqs(events)).toEqual(events.map((_, i) => i + 1));
    expect(events.find((e) => e.type === "turn.started" && e.turn_id === second.turn_id)).toBeDefined();
  });
});

describe("WebSocket", () => {
  it("resume {after} on a new socket gets exactly the missed events, then live ones", async () => {
    const { release } = heldModel();
    const sessionId = await createSession(user, await createAgent(user));
    const { socket: first, welcome } = await sessionSocket(user, sessionId);
    first.send({ type: "resume", after: welcome.last_seq });
    await first.nextOfType("replayed");
    const accepted = await sendMessage(user, sessionId, "count to four");
    await first.next((frame) => frame.type === "event" && textOf(socketEvents(first)) === "one two ");
    const seen = socketEvents(first);
    first.close();

    const { socket: second } = await sessionSocket(user, sessionId);
    second.send({ type: "resume", after: seen.at(-1)!.seq });
    const replayed = await second.nextOfType("replayed");
    release();
    await second.nextEvent("turn.completed");
    const rest = socketEvents(second);
    second.close();

    expect(replayed.count).toBe(rest.filter((e) => e.seq <= (replayed.last_seq as number)).length);
    const all = [...seen, ...rest];
    expect(seqs(all)).toEqual(all.map((_, i) => accepted.stream_after + 1 + i));
    expect(textOf(all)).toBe("one two three four");
    expect(await follow(user, sessionId, accepted.stream_after)).toEqual(all);
  });

  it("a socket gets no events until it resumes, and refuses a second use of its ticket", async () => {
    heldModel().release();
    const sessionId = await createSession(user, await createAgent(user));
    const ticketRes = await call(`/api/v1/sessions/${sessionId}/ws/ticket`, {
      method: "POST",
      token: user.accessToken,
    });
    const { ticket, url } = await json<{ ticket: string; url: string }>(ticketRes);
    expect(url).toMatch(new RegExp(`^ws://.+/api/v1/sessions/${sessionId}/ws\\?ticket=`));
    const { socket } = await sessionSocket(user, sessionId);
    const accepted = await sendMessage(user, sessionId, "hi");
    await follow(user, sessionId, accepted.stream_after);
    socket.send({ type: "ping" });
    await socket.nextOfType("pong");
    expect(socketEvents(socket)).toEqual([]);
    socket.send({ type: "resume", after: 0 });
    await socket.nextEvent("turn.completed");
    socket.close();

    const { exports } = await import("cloudflare:workers");
    const connect = () =>
      exports.default.fetch(
        new Request(`http://edgewise.test/api/v1/sessions/${sessionId}/ws?ticket=${encodeURIComponent(ticket)}`, {
          headers: { upgrade: "websocket" },
        }),
      );
    const once = await connect();
    expect(once.status).toBe(101);
    once.webSocket?.accept();
    once.webSocket?.close();
    await expectError(await connect(), 401, "ticket_used");
    const other = await createSession(user, await createAgent(user));
    const elsewhere = await call(`/api/v1/sessions/${other}/ws?ticket=${encodeURIComponent(ticket)}`, {
      headers: { upgrade: "websocket" },
    });
    await expectError(elsewhere, 401, "invalid_ticket");
  });
});

describe("pruning", () => {
  it("keeps the newest events once turns end, and says so to a client asking for older ones", async () => {
    heldModel().release();
    const sessionId = await createSession(user, await createAgent(user));
    await runInDurableObject(sessionObject(sessionId), (_instance, state) => {
      for (let i = 0; i < KEEP_EVENTS + 50; i++) {
        state.storage.sql.exec(
          "INSERT INTO stream_events (turn_id, type, data, ts) VALUES (NULL, 'usage', '{}', ?)",
          Date.now(),
        );
      }
    });
    const accepted = await sendMessage(user, sessionId, "hi");
    await follow(user, sessionId, accepted.stream_after);
    const reader = await openStream(user, sessionId, 0);
    const events = await reader.until(isTurnEnd);
    await reader.close();
    expect(reader.named).toEqual([
      { event: "replay_gap", data: { requested_after: 0, oldest_available: events[0]!.seq } },
    ]);
    expect(events.length).toBe(KEEP_EVENTS);
    expect(events.at(-1)?.type).toBe("turn.completed");
  });
});
