/** Test-only bindings, added by vitest.config.ts. */
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** test/worker/fake-web.ts */
    FAKE_WEB_URL: string;
    /** test/worker/fake-web.ts on a second port: another origin */
    FAKE_WEB_OTHER_URL: string;
    /** test/worker/fake-openai.ts */
    FAKE_OPENAI_URL: string;
    /** test/worker/fake-anthropic.ts */
    FAKE_ANTHROPIC_URL: string;
    /** test/worker/fake-google.ts */
    FAKE_GOOGLE_URL: string;
    /** test/worker/fake-mcp-server.ts */
    FAKE_MCP_URL: string;
  }
}
