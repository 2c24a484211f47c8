/** The account calls: profile, API keys and the audit log. */
import type { z } from "zod";
import type { CreateApiKeyBody } from "../../../worker/features/api-keys/schemas";
import { api } from "../api/client";
import type { ApiKey, AuditEntry, CreatedApiKey, Page, User } from "../api/types";

export type CreateKeyInput = z.input<typeof CreateApiKeyBody>;

export const accountApi = {
  updateProfile: (name: string) => api.patch<User>("/me", { name }),
  listKeys: (cursor: string | null, includeRevoked: boolean) =>
    api.get<Page<ApiKey>>("/keys", { query: { limit: 20, cursor, include_revoked: includeRevoked } }),
  createKey: (input: CreateKeyInput) => api.post<CreatedApiKey>("/keys", input),
  revokeKey: (id: string) => api.delete<ApiKey>(`/keys/${encodeURIComponent(id)}`),
  listAudit: (cursor: string | null, resourceType: string) =>
    api.get<Page<AuditEntry>>("/audit", { query: { limit: 25, cursor, resource_type: resourceType } }),
};
