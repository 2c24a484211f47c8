/** The /auth and /dev/outbox calls behind the sign-up, sign-in and password pages. */
import { api } from "../api/client";
import type { Accepted, LoginResponse, OutboxMessage, User } from "../api/types";

const PUBLIC = { auth: false } as const;

export const authApi = {
  register: (body: { email: string; password: string; name: string }) => api.post<User>("/auth/register", body, PUBLIC),
  login: (body: { email: string; password: string }) => api.post<LoginResponse>("/auth/login", body, PUBLIC),
  logout: () => api.post<Accepted>("/auth/logout"),
  verifyEmail: (token: string) => api.post<User>("/auth/verify-email", { token }, PUBLIC),
  resendVerification: (email: string) => api.post<Accepted>("/auth/verify-email/resend", { email }, PUBLIC),
  requestPasswordReset: (email: string) => api.post<Accepted>("/auth/password-reset/request", { email }, PUBLIC),
  confirmPasswordReset: (token: string, password: string) =>
    api.post<Accepted>("/auth/password-reset/confirm", { token, password }, PUBLIC),
  environment: (signal?: AbortSignal) =>
    api.get<{ environment: string }>("/config", { auth: false, signal }).then((config) => config.environment),
  outbox: (to: string, signal?: AbortSignal) =>
    api.get<{ items: OutboxMessage[] }>("/dev/outbox", { query: { to, limit: 20 }, auth: false, signal }),
};
