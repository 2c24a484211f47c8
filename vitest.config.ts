/**
 * Two suites: `worker` runs inside workerd against real local D1, R2 and Durable
 * Objects (@cloudflare/vitest-plugin); `e2e` runs in Node against `wrangler dev`
 * (console in headless Chromium, the CLI). `npm test` runs both.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const WORKER_TESTS = [
  "worker/**/*.test.ts",
  "durable-objects/**/*.test.ts",
  "test/worker/**/*.test.ts",
  // Measurements that run inside workerd: only with `npm run bench:agent`, never in `npm test`.
  ...(process.env.EDGEWISE_BENCH ? ["bench/**/*.test.ts"] : []),
];
/**
 * Test files that read PDFs (unpdf) or print them (Browser Rendering). After one of
 * them, the next file started in the same workerd runtime crashes it ("WebSocket
 * protocol error 1009: Message is too large"), so each runs in a runtime of its own.
 */
const PDF_TESTS = [
  "worker/features/files/files.test.ts",
  "worker/features/documents/documents.test.ts",
  "worker/features/documents/convert.test.ts",
  "worker/features/knowledge/knowledge.test.ts",
];

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const migrations = await readD1Migrations("./migrations");
  const workerProject = (name: string, include: string[], exclude: string[]) => ({
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        remoteBindings: false,
        miniflare: {
          compatibilityFlags: ["nodejs_compat", "service_binding_extra_handlers"],
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: "development",
            EMAIL_PROVIDER: "outbox",
            APP_URL: "http://127.0.0.1:8787",
            JWT_SECRET: "test-jwt-secret",
            METRICS_TOKEN: "test-metrics-token",
            EMAIL_API_KEY: "test-email-key",
            ENCRYPTION_KEY: "test-encryption-key",
            // Real PBKDF2, fewer rounds: the suite hashes hundreds of passwords.
            PBKDF2_ITERATIONS: "1000",
            // Tables (bad input, cross-tenant) send thousands of requests as one user within seconds;
            // the per-user limit must not answer before what they test. Per-IP auth limits keep their
            // default. The rate-limit tests set their own limits through the admin API.
            CONFIG_DEFAULTS: JSON.stringify({
              rate_limits: {
                auth_per_ip: { limit: 30, window_seconds: 60 },
                api_per_principal: { limit: 1_000_000, window_seconds: 60 },
              },
            }),
            // Local Resend-compatible server (test/worker/global-setup.ts).
            EMAIL_API_URL: inject("emailApiUrl"),
            // Local "internet" (test/worker/fake-web.ts); its /dns-query is the guard's resolver.
            FAKE_WEB_URL: inject("fakeWebUrl"),
            FAKE_WEB_OTHER_URL: inject("fakeWebOtherUrl"),
            DOH_URL: `${inject("fakeWebUrl")}/dns-query`,
            // Local OpenAI Chat Completions server (test/worker/fake-openai.ts).
            FAKE_OPENAI_URL: inject("fakeOpenAiUrl"),
            // Local Anthropic Messages and Google Generative Language servers (test/worker/fake-anthropic.ts, fake-google.ts).
            FAKE_ANTHROPIC_URL: inject("fakeAnthropicUrl"),
            FAKE_GOOGLE_URL: inject("fakeGoogleUrl"),
            // Local remote MCP server (test/worker/fake-mcp-server.ts) that tests install as an extension.
            FAKE_MCP_URL: inject("fakeMcpUrl"),
          },
        },
      })),
    ],
    test: {
      name,
      include,
      exclude: [...exclude, "**/node_modules/**"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      globalSetup: ["./test/worker/global-setup.ts"],
      // A bound against hangs, not a speed check: on two loaded cores a 2 s test can take 10.
      testTimeout: 30_000,
      hookTimeout: 60_000,
      expect: { poll: { timeout: 15_000 } },
    },
  });
  return {
    test: {
      silent: "passed-only",
      // Each worker test file starts a runtime of its own and loads the Worker into it: CPU-bound
      // start-up that two files can share between this machine's two cores (docs/testing.md).
      maxWorkers: 2,
      // The JSON report lets .ci/run print one plain "N passed, N failed" line (one file per suite it runs).
      reporters: ["default", ["json", { outputFile: `test-results/${process.env.VITEST_SUITE ?? "vitest"}.json` }]],
      projects: [
        workerProject("worker", WORKER_TESTS, PDF_TESTS),
        ...PDF_TESTS.map((file) =>
          workerProject(`worker-${file.split("/").at(-1)?.replace(".test.ts", "")}`, [file], []),
        ),
        {
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts", "cli/**/*.test.ts"],
            environment: "node",
            globalSetup: ["./test/e2e/global-setup.ts"],
            testTimeout: 60_000,
            hookTimeout: 120_000,
            // expect.poll waits for what the page shows; its 1 s default is shorter than a loaded machine's upload.
            expect: { poll: { timeout: 15_000 } },
          },
        },
      ],
    },
  };
});
