import { describe, expect, it } from "vitest";
import { call, createUser, json } from "../../../test/worker/support/api";
import { waitFor } from "../../../test/worker/support/automation";

type Task = { id: string; status: string; progress: { percent: number }; result: unknown; error: string | null };

describe("tasks", () => {
  it("runs a sleep task to success", async () => {
    const user = await createUser();
    const res = await call("/api/v1/tasks", {
      token: user.accessToken,
      body: { title: "nap", action: { kind: "sleep", ms: 300 } },
    });
    expect(res.status).toBe(201);
    const task = await json<Task>(res);
    const done = await waitFor<Task>(user, `/api/v1/tasks/${task.id}`, (t) => t.status === "succeeded");
    expect(done.result).toMatchObject({ slept_ms: expect.any(Number) });
  });
});
