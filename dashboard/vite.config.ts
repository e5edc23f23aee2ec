// The dashboard's build: a static single-page app the gateway serves at /dashboard/
// (gateway/plugins/dashboard.ts). `npm run build:dashboard` writes it to dist/dashboard/;
// `npm start` builds it first when its sources are newer (scripts/dashboard.ts).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/dashboard/",
  // No public directory, no CDN: everything the page loads comes from the gateway.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("../dist/dashboard", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
  },
  logLevel: "warn",
});
