/**
 * /api/v1/auth: register → verify → login → refresh → logout, and password
 * reset. Public routes are limited per client IP (`rate_limits.auth_per_ip`).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../context";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { requestMeta } from "../../lib/request-meta";
import { createRoute, createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { getConfig } from "../config/service";
import { deliverQueued } from "../email/sender";
import { disconnectLive, publishLater } from "../events/publish";
import { applyDecision, consume } from "../rate-limits/limiter";
import { UserSchema } from "../users/schemas";
import { login, logout, refresh } from "./login";
import { confirmPasswordReset, requestPasswordReset } from "./password-reset";
import {
  AcceptedSchema,
  EmailBody,
  LoginBody,
  LoginResponse,
  RefreshBody,
  RegisterBody,
  ResetConfirmBody,
  TokenBody,
  TokenPairSchema,
} from "./schemas";
import { register, resendVerification, verifyEmail } from "./signup";

const limitByIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { auth_per_ip } = await getConfig(c.env, "rate_limits");
  applyDecision(c, await consume(c.env, `auth-ip:${c.var.clientIp}`, auth_per_ip));
  await next();
};

const PUBLIC_POST = { method: "post" as const, tags: ["Auth"], middleware: [limitByIp] };
const PUBLIC_ERRORS = errorResponses(400, 413, 415, 429);

function accepted(message: string) {
  return { status: "accepted" as const, message };
}

export const authRoutes = createRouter();

authRoutes.openapi(
  createRoute({
    ...PUBLIC_POST,
    path: "/auth/register",
    summary: "Create an account; a verification link is emailed",
    request: jsonBody(RegisterBody),
    responses: {
      201: jsonResponse("Account created, not yet verified", UserSchema),
      ...PUBLIC_ERRORS,
      ...errorResponses(403, 409),
    },
  }),
  async (c) => {
    const result = await register(c.env, getDb(c.env), c.req.valid("json"), requestMeta(c));
    c.executionCtx.waitUntil(deliverQueued(c.env, result.outboxId));
    return c.json(result.user, 201);
  },
);

authRoutes.openapi(
  createRoute({
    ...PUBLIC_POST,
    path: "/auth/verify-email",
    summary: "Verify an email address with the token from the emailed link",
    request: jsonBody(TokenBody),
    responses: { 200: jsonResponse("Verified", UserSchema), ...PUBLIC_ERRORS },
  }),
  async (c) => c.json(await verifyEmail(getDb(c.env), c.req.valid("json").token, requestMeta(c)), 200),
);

authRoutes.openapi(
  createRoute({
    ...PUBLIC_POST,
    path: "/auth/verify-email/resend",
    summary: "Email a new verification link (answers the same whether or not the account exists)",
    request: jsonBody(EmailBody),
    responses: { 202: jsonResponse("Accepted", AcceptedSchema), ...PUBLIC_ERRORS },
  }),
  async (c) => {
    const outboxId = await resendVerification(c.env, getDb(c.env), c.req.valid("json").email);
    if (outboxId) c.executionCtx.waitUntil(deliverQueued(c.env, outboxId));
    return c.json(accepted("If the account exists and is unverified, a new link is on its way"), 202);
  },
);

authRoutes.openapi(
  createRoute({
    ...PUBLIC_POST,
    path: "/auth/login",
    summary: "Exchange email and password for an access token and a refresh token",
    request: jsonBody(LoginBody),
    responses: { 200: jsonResponse("Logged in", LoginResponse), ...PUBLIC_ERRORS, ...errorResponses(401, 403) },
  }),
  async (c) => {
    const result = await login(c.env, getDb(c.env), c.req.valid("json"), requestMeta(c));
    publishLater(c.executionCtx, c.env, result.user.id, "auth.login", {
      session_id: result.session_id,
      ip: c.var.clientIp,
    });
    return c.json(result, 200);
  },
);

authRoutes.openapi(
  createRoute({
    ...PUBLIC_POST,
    path: "/auth/refresh",
    summary: "Trade a refresh token for a new pair; reusing a spent one ends the session",
    request: jsonBody(RefreshBody),
    responses: { 200: jsonResponse("New tokens", TokenPairSchema), ...PUBLIC_ERRORS, ...errorResponses(401, 403) },
  }),
  async (c) => {
    const result = await refresh(c.env, getDb(c.env), c.req.valid("json").refresh_token, requestMeta(c));
    if (!result.ok) {
      await disconnectLive(c.env, result.userId, { type: "session", id: result.sessionId }, "session_revoked");
      publishLater(c.executionCtx, c.env, result.userId, "auth.session_revoked", {
        session_id: result.sessionId,
        reason: "refresh_token_reused",
      });
      throw new AppError(
        401,
        "refresh_token_reused",
        "This refresh token was already used; the session has been ended",
      );
    }
    return c.json(result.tokens, 200);
  },
);

authRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/auth/logout",
    tags: ["Auth"],
    summary: "End this session: its refresh tokens and access tokens stop working",
    responses: { 200: jsonResponse("Logged out", AcceptedSchema) },
  }),
  async (c) => {
    const sessionId = await logout(c.env, getDb(c.env), c.var.principal, requestMeta(c));
    await disconnectLive(c.env, c.var.principal.userId, { type: "session", id: sessionId }, "logged_out");
    publishLater(c.executionCtx, c.env, c.var.principal.userId, "auth.logout", { session_id: sessionId });
    return c.json(accepted("Session ended"), 200);
  },
);

authRoutes.openapi(
  createRoute({
    ...PUBLIC_POST,
    path: "/auth/password-reset/request",
    summary: "Email a password-reset link (answers the same whether or not the account exists)",
    request: jsonBody(EmailBody),
    responses: { 202: jsonResponse("Accepted", AcceptedSchema), ...PUBLIC_ERRORS },
  }),
  async (c) => {
    const outboxId = await requestPasswordReset(c.env, getDb(c.env), c.req.valid("json").email);
    if (outboxId) c.executionCtx.waitUntil(deliverQueued(c.env, outboxId));
    return c.json(accepted("If the account exists, a reset link is on its way"), 202);
  },
);

authRoutes.openapi(
  createRoute({
    ...PUBLIC_POST,
    path: "/auth/password-reset/confirm",
    summary: "Set a new password with the emailed token; every session of the account ends",
    request: jsonBody(ResetConfirmBody),
    responses: { 200: jsonResponse("Password changed", AcceptedSchema), ...PUBLIC_ERRORS },
  }),
  async (c) => {
    const userId = await confirmPasswordReset(c.env, getDb(c.env), c.req.valid("json"), requestMeta(c));
    await disconnectLive(c.env, userId, "all", "password_reset");
    return c.json(accepted("Password changed; log in with the new one"), 200);
  },
);
