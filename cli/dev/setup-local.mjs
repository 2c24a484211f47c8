/**
 * `npm start` runs this before `wrangler dev`: local secrets (.dev.vars, made once
 * with random values), D1 migrations, and the demo accounts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { applyMigrations, DEMO_ACCOUNTS, developmentVars, seedDemoAccounts } from "./local-db.mjs";

const LOCAL_VARS = { ...developmentVars("http://127.0.0.1:8787"), EMAIL_API_KEY: "" };

/** Adds whatever local setting .dev.vars lacks; values already there (your secrets) are kept. */
function ensureDevVars() {
  const current = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
  const present = new Set(current.split("\n").map((line) => line.split("=")[0]?.trim()));
  const missing = Object.entries(LOCAL_VARS).filter(([name]) => !present.has(name));
  if (missing.length === 0) return;
  const lines = missing.map(([name, value]) => `${name}=${value}`).join("\n");
  writeFileSync(".dev.vars", `${current}${current && !current.endsWith("\n") ? "\n" : ""}${lines}\n`, { mode: 0o600 });
  console.log(`› .dev.vars: added ${missing.map(([name]) => name).join(", ")} (METRICS_TOKEN unlocks /metrics)`);
}

ensureDevVars();

console.log("› applying D1 migrations (local)…");
applyMigrations();
console.log("› seeding demo accounts…");
seedDemoAccounts();

console.log("\nEdgewise is starting at http://127.0.0.1:8787");
for (const account of DEMO_ACCOUNTS) console.log(`  ${account.role.padEnd(9)} ${account.email} / ${account.password}`);
console.log("");
