/** /api/v1/schedules: cron schedules with time zones, a preview of next runs, and every run recorded. */

import { getDb } from "../../../db/client";
import { AppError } from "../../../errors";
import { PageQuerySchema } from "../../../lib/pagination";
import { requestMeta } from "../../../lib/request-meta";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../../openapi";
import { checkCron, nextTicks } from "../engine/cron";
import {
  CreateScheduleBody,
  PreviewBody,
  PreviewSchema,
  ScheduleDetailSchema,
  ScheduleIdParam,
  SchedulePageSchema,
  ScheduleRunPageSchema,
  ScheduleRunSchema,
  ScheduleSchema,
  UpdateScheduleBody,
} from "./schemas";
import {
  createSchedule,
  deleteSchedule,
  getOwnSchedule,
  listScheduleRuns,
  listSchedules,
  runScheduleNow,
  scheduleDetail,
  updateSchedule,
} from "./service";

export const scheduleRoutes = createRouter();
const tags = ["Schedules"];

scheduleRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/cron/preview",
    tags,
    summary: "The next ticks of a cron expression in a time zone (nothing is saved)",
    scopes: ["tasks:read"],
    request: jsonBody(PreviewBody),
    responses: { 200: jsonResponse("Next ticks", PreviewSchema), ...errorResponses(413, 415, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const check = checkCron(body.cron, body.timezone);
    if (!check.ok) throw new AppError(422, "invalid_cron", check.message, { cron: body.cron, timezone: body.timezone });
    const ticks = nextTicks(body.cron, body.timezone, body.after ? Date.parse(body.after) : Date.now(), body.count);
    const local = new Intl.DateTimeFormat("sv-SE", {
      timeZone: body.timezone,
      dateStyle: "short",
      timeStyle: "medium",
    });
    return c.json(
      {
        next_runs: ticks.map((t) => new Date(t).toISOString()),
        local: ticks.map((t) => `${local.format(t)} ${body.timezone}`),
      },
      200,
    );
  },
);

scheduleRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/schedules",
    tags,
    summary: "Create a schedule; it runs with the scopes you hold now",
    scopes: ["tasks:write"],
    request: jsonBody(CreateScheduleBody),
    responses: { 201: jsonResponse("Created", ScheduleDetailSchema), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => {
    return c.json(await createSchedule(c.env, c.var.principal, c.req.valid("json"), requestMeta(c)), 201);
  },
);

scheduleRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/schedules",
    tags,
    summary: "List your schedules, newest first",
    scopes: ["tasks:read"],
    request: { query: PageQuerySchema },
    responses: { 200: jsonResponse("A page of schedules", SchedulePageSchema) },
  }),
  async (c) => c.json(await listSchedules(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

scheduleRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/schedules/{id}",
    tags,
    summary: "Read a schedule with its next five ticks",
    scopes: ["tasks:read"],
    request: { params: ScheduleIdParam },
    responses: { 200: jsonResponse("The schedule", ScheduleDetailSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(scheduleDetail(await getOwnSchedule(getDb(c.env), c.var.principal.userId, c.req.valid("param").id)), 200),
);

scheduleRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/schedules/{id}",
    tags,
    summary: "Change a schedule (re-timing it recomputes the next tick)",
    scopes: ["tasks:write"],
    request: { params: ScheduleIdParam, ...jsonBody(UpdateScheduleBody) },
    responses: { 200: jsonResponse("Updated", ScheduleDetailSchema), ...errorResponses(404, 413, 415, 422) },
  }),
  async (c) => {
    return c.json(
      await updateSchedule(c.env, c.var.principal, c.req.valid("param").id, c.req.valid("json"), requestMeta(c)),
      200,
    );
  },
);

scheduleRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/schedules/{id}",
    tags,
    summary: "Delete a schedule (work it already started goes on)",
    scopes: ["tasks:write"],
    request: { params: ScheduleIdParam },
    responses: { 200: jsonResponse("Deleted", ScheduleSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(await deleteSchedule(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c)), 200),
);

scheduleRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/schedules/{id}/runs",
    tags,
    summary: "Every run of a schedule, newest first, with outcome, cost and latency",
    scopes: ["tasks:read"],
    request: { params: ScheduleIdParam, query: PageQuerySchema },
    responses: { 200: jsonResponse("A page of runs", ScheduleRunPageSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(
      await listScheduleRuns(getDb(c.env), c.var.principal.userId, c.req.valid("param").id, c.req.valid("query")),
      200,
    ),
);

scheduleRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/schedules/{id}/run",
    tags,
    summary: "Run the schedule's target now (an extra run; the next tick is unchanged)",
    scopes: ["tasks:write"],
    request: { params: ScheduleIdParam },
    responses: { 201: jsonResponse("Started", ScheduleRunSchema), ...errorResponses(404, 409) },
  }),
  async (c) => c.json(await runScheduleNow(c.env, c.var.principal.userId, c.req.valid("param").id), 201),
);
