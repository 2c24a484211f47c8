/** /api/v1/me (your account) and /api/v1/admin/users (everyone's, admins only). */
import { getDb } from "../../db/client";
import { PageQuerySchema, pageSchema } from "../../lib/pagination";
import { requestMeta } from "../../lib/request-meta";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { disconnectLive, publishLater } from "../events/publish";
import { AdminUpdateUserBody, MeSchema, toUser, UpdateMeBody, UserIdParam, UserListQuery, UserSchema } from "./schemas";
import { adminUpdateUser, getUser, listUsers, updateProfile } from "./service";

const UserPageSchema = pageSchema(UserSchema, "UserPage");

export const userRoutes = createRouter();

userRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/me",
    tags: ["Account"],
    summary: "Your account",
    scopes: ["account:read"],
    responses: { 200: jsonResponse("You", MeSchema) },
  }),
  async (c) => {
    const user = toUser(await getUser(getDb(c.env), c.var.principal.userId));
    return c.json({ ...user, scopes: [...c.var.principal.scopes] }, 200);
  },
);

userRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/me",
    tags: ["Account"],
    summary: "Change your profile",
    scopes: ["account:write"],
    request: jsonBody(UpdateMeBody),
    responses: { 200: jsonResponse("Updated", UserSchema), ...errorResponses(413, 415) },
  }),
  async (c) => {
    const user = await updateProfile(getDb(c.env), c.var.principal, c.req.valid("json"), requestMeta(c));
    publishLater(c.executionCtx, c.env, user.id, "account.updated", { fields: ["name"] });
    return c.json(user, 200);
  },
);

userRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/admin/users",
    tags: ["Admin"],
    summary: "List all users",
    scopes: ["admin:users"],
    request: { query: PageQuerySchema.extend(UserListQuery.shape) },
    responses: { 200: jsonResponse("A page of users", UserPageSchema) },
  }),
  async (c) => c.json(await listUsers(getDb(c.env), c.req.valid("query")), 200),
);

userRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/admin/users/{id}",
    tags: ["Admin"],
    summary: "Read any user",
    scopes: ["admin:users"],
    request: { params: UserIdParam },
    responses: { 200: jsonResponse("The user", UserSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(toUser(await getUser(getDb(c.env), c.req.valid("param").id)), 200),
);

userRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/admin/users/{id}",
    tags: ["Admin"],
    summary: "Change a user's role or deactivate / reactivate them",
    description: "Deactivation ends every session of the user and stops their API keys.",
    scopes: ["admin:users"],
    request: { params: UserIdParam, ...jsonBody(AdminUpdateUserBody) },
    responses: { 200: jsonResponse("Updated", UserSchema), ...errorResponses(404, 409, 413, 415) },
  }),
  async (c) => {
    const user = await adminUpdateUser(
      c.env,
      getDb(c.env),
      c.var.principal,
      c.req.valid("param").id,
      c.req.valid("json"),
      requestMeta(c),
    );
    if (!user.is_active) await disconnectLive(c.env, user.id, "all", "account_disabled");
    return c.json(user, 200);
  },
);
