/** The public shape of a user and the account/admin request bodies. */
import { z } from "@hono/zod-openapi";
import { ROLES, type users } from "../../db/schema";
import { toIso, toIsoOrNull } from "../../lib/time";

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    is_active: z.boolean(),
    email_verified: z.boolean(),
    created_at: z.string().openapi({ format: "date-time" }),
    last_login_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("User");

export type UserDto = z.infer<typeof UserSchema>;

export const MeSchema = UserSchema.extend({
  scopes: z.array(z.string()).openapi({ description: "What this credential may do: role ∩ API key scopes" }),
}).openapi("Me");

export function toUser(row: typeof users.$inferSelect): UserDto {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    is_active: row.isActive,
    email_verified: row.emailVerifiedAt != null,
    created_at: toIso(row.createdAt),
    last_login_at: toIsoOrNull(row.lastLoginAt),
  };
}

export const UpdateMeBody = z
  .object({ name: z.string().trim().min(1).max(100) })
  .strict()
  .openapi("UpdateProfileRequest");

export const AdminUpdateUserBody = z
  .object({ role: z.enum(ROLES).optional(), is_active: z.boolean().optional() })
  .strict()
  .refine((body) => body.role !== undefined || body.is_active !== undefined, "Give role, is_active or both")
  .openapi("AdminUpdateUserRequest");

export const UserListQuery = z.object({
  role: z.enum(ROLES).optional(),
  is_active: z.enum(["true", "false"]).optional(),
  email: z.string().max(254).optional().openapi({ description: "Substring of the email address" }),
});

export const UserIdParam = z.object({ id: z.string().min(1).max(64) });
