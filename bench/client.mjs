/** What every bench does against the app it started: JSON calls, and lifting the limits that protect real deployments. */

export async function api(baseUrl, path, { token, method = "GET", body } = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A bench is one client hammering one account: lift the per-IP and per-user rate limits (and any other settings given). */
export async function liftLimits(baseUrl, extra = {}) {
  const admin = await api(baseUrl, "/api/v1/auth/login", {
    method: "POST",
    body: { email: "admin@edgewise.dev", password: "edgewise-admin-pass" },
  });
  const put = (key, value) =>
    api(baseUrl, `/api/v1/admin/config/${key}`, { token: admin.access_token, method: "PUT", body: { value } });
  await put("rate_limits", {
    auth_per_ip: { limit: 1000, window_seconds: 60 },
    api_per_principal: { limit: 1_000_000, window_seconds: 60 },
  });
  for (const [key, value] of Object.entries(extra)) await put(key, value);
}
