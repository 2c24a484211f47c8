/** Request and response shapes of the /auth routes. */
import { z } from "@hono/zod-openapi";
import { UserSchema } from "../users/schemas";

export const Email = z
  .email()
  .max(254)
  .transform((email) => email.toLowerCase())
  .openapi({ example: "ada@example.com" });

export const Password = z
  .string()
  .min(10, "Use at least 10 characters")
  .max(256)
  .openapi({ example: "correct horse battery staple" });

export const RegisterBody = z
  .object({ email: Email, password: Password, name: z.string().trim().min(1).max(100) })
  .openapi("RegisterRequest");

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(256) }).openapi("LoginRequest");

export const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ description: "Seconds until the access token expires" }),
    session_id: z.string(),
  })
  .openapi("TokenPair");

export const LoginResponse = TokenPairSchema.extend({ user: UserSchema }).openapi("LoginResponse");

export const RefreshBody = z.object({ refresh_token: z.string().min(1).max(512) }).openapi("RefreshRequest");

export const TokenBody = z.object({ token: z.string().min(1).max(512) }).openapi("OneTimeTokenRequest");

export const EmailBody = z.object({ email: Email }).openapi("EmailRequest");

export const ResetConfirmBody = z
  .object({ token: z.string().min(1).max(512), password: Password })
  .openapi("PasswordResetConfirm");

export const AcceptedSchema = z.object({ status: z.literal("accepted"), message: z.string() }).openapi("Accepted");
