/**
 * The retrieval hook with the real knowledge provider: what a user told Edgewise to
 * remember reaches the model's context, and the answer cites it.
 */
import { afterEach, expect, it } from "vitest";
import { call, createUser } from "../../../test/worker/support/api";
import {
  createAgent,
  createSession,
  follow,
  promptOf,
  scriptedModel,
  sendMessage,
} from "../../../test/worker/support/chat";
import { setModelOverride } from "./deps";

afterEach(() => setModelOverride({ mock: null }));

it("puts the user's matching memories in the model's context and cites them", async () => {
  const user = await createUser();
  const remembered = await call("/api/v1/memories", {
    token: user.accessToken,
    body: { content: "The boiler in the basement is serviced every October by Acme Heating.", category: "home" },
  });
  expect(remembered.status).toBe(201);
  const model = scriptedModel([{ text: ["It is serviced in October [1]."] }]);
  setModelOverride({ mock: () => model });
  const sessionId = await createSession(user, await createAgent(user));

  const accepted = await sendMessage(user, sessionId, "When is the boiler serviced?");
  const events = await follow(user, sessionId, accepted.stream_after);

  expect(events.at(-1)?.type).toBe("turn.completed");
  expect(promptOf(model, 0)).toContain("serviced every October by Acme Heating");
  expect(JSON.stringify(events)).toContain("memory (home)");

  const other = await createUser();
  const theirModel = scriptedModel([{ text: ["No idea."] }]);
  setModelOverride({ mock: () => theirModel });
  const theirSession = await createSession(other, await createAgent(other));
  const theirTurn = await sendMessage(other, theirSession, "When is the boiler serviced?");
  await follow(other, theirSession, theirTurn.stream_after);
  expect(promptOf(theirModel, 0)).not.toContain("Acme Heating");
});
