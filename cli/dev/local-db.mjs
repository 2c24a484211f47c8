/**
 * Local database set-up shared by `npm start` and the end-to-end tests: applies the
 * D1 migrations and seeds the demo accounts into a local (Miniflare) database.
 * Passwords are hashed here exactly as the Worker hashes them (PBKDF2-SHA256).
 */
import { execFileSync } from "node:child_process";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DEMO_ACCOUNTS = [
  {
    id: "00000000-0000-7000-8000-000000000001",
    email: "admin@edgewise.dev",
    name: "Edgewise Admin",
    role: "admin",
    password: "edgewise-admin-pass",
  },
  {
    id: "00000000-0000-7000-8000-000000000002",
    email: "demo@edgewise.dev",
    name: "Demo Developer",
    role: "developer",
    password: "edgewise-demo-pass",
  },
  {
    id: "00000000-0000-7000-8000-000000000003",
    email: "viewer@edgewise.dev",
    name: "Demo Viewer",
    role: "viewer",
    password: "edgewise-viewer-pass",
  },
];

const b64url = (buffer) => buffer.toString("base64url");

/**
 * Development-mode settings with fresh random secrets: wrangler.toml's defaults are
 * production's, so local runs (npm start, e2e tests, the bench) switch them here.
 */
export function developmentVars(appUrl) {
  const secret = () => b64url(randomBytes(32));
  return {
    ENVIRONMENT: "development",
    EMAIL_PROVIDER: "outbox",
    APP_URL: appUrl,
    JWT_SECRET: secret(),
    METRICS_TOKEN: secret(),
    ENCRYPTION_KEY: secret(),
  };
}

export function hashPassword(password, iterations = 100_000) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  return ["pbkdf2-sha256", iterations, b64url(salt), b64url(hash)].join("$");
}

function wrangler(args, persistTo) {
  const persist = persistTo ? ["--persist-to", persistTo] : [];
  execFileSync("npx", ["wrangler", ...args, "--local", ...persist], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
}

export function applyMigrations(persistTo) {
  wrangler(["d1", "migrations", "apply", "DB"], persistTo);
}

const quote = (value) => `'${String(value).replaceAll("'", "''")}'`;

/**
 * Inserts the demo accounts unless they exist (re-running keeps their passwords).
 * `iterations` should match the Worker's PBKDF2_ITERATIONS (tests lower both).
 */
export function seedDemoAccounts(persistTo, iterations = 100_000) {
  const now = Date.now();
  const rows = DEMO_ACCOUNTS.map(
    (a) =>
      `INSERT OR IGNORE INTO users (id, email, name, password_hash, role, is_active, email_verified_at, created_at, updated_at)
       VALUES (${quote(a.id)}, ${quote(a.email)}, ${quote(a.name)}, ${quote(hashPassword(a.password, iterations))}, ${quote(a.role)}, 1, ${now}, ${now}, ${now});`,
  );
  const dir = mkdtempSync(join(tmpdir(), "edgewise-seed-"));
  const file = join(dir, "seed.sql");
  writeFileSync(file, rows.join("\n"));
  try {
    wrangler(["d1", "execute", "DB", "--file", file], persistTo);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
