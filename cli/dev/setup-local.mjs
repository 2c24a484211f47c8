/**
 * `npm start` runs this before `wrangler dev`: local secrets (.dev.vars, made once
 * with random values), D1 migrations, and the demo accounts.
 */
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { applyMigrations, DEMO_ACCOUNTS, seedDemoAccounts } from "./local-db.mjs";

if (!existsSync(".dev.vars")) {
  const secret = () => randomBytes(32).toString("base64url");
  writeFileSync(".dev.vars", `JWT_SECRET=${secret()}\nMETRICS_TOKEN=${secret()}\nEMAIL_API_KEY=\n`, { mode: 0o600 });
  console.log("› wrote .dev.vars with fresh local secrets (METRICS_TOKEN is in there)");
}

console.log("› applying D1 migrations (local)…");
applyMigrations();
console.log("› seeding demo accounts…");
seedDemoAccounts();

console.log("\nEdgewise is starting at http://127.0.0.1:8787");
for (const account of DEMO_ACCOUNTS) console.log(`  ${account.role.padEnd(9)} ${account.email} / ${account.password}`);
console.log("");
