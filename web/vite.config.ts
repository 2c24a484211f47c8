/**
 * Builds the console (web/src) into web/dist, which the Worker serves as static
 * assets (wrangler.toml [assets]). Also ships the offline Swagger UI for /api/docs
 * into dist/docs-assets. Run with `npm run build:web`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const SWAGGER_FILES = ["swagger-ui.css", "swagger-ui-bundle.js"];

/** Copies Swagger UI out of node_modules at build time, so the docs page needs no CDN. */
function swaggerAssets(): Plugin {
  const require = createRequire(import.meta.url);
  return {
    name: "edgewise:swagger-assets",
    apply: "build",
    generateBundle() {
      for (const file of SWAGGER_FILES) {
        this.emitFile({
          type: "asset",
          fileName: `docs-assets/${file}`,
          source: readFileSync(require.resolve(`swagger-ui-dist/${file}`)),
        });
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), swaggerAssets()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for UI work against a running `npm run dev`.
    proxy: { "/api": { target: "http://127.0.0.1:8787", ws: true }, "/docs-assets": "http://127.0.0.1:8787" },
  },
});
