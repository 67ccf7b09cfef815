import { defineConfig } from "vite";

// Preact's JSX through Vite's own transform: no Babel, no plugin.
export default defineConfig({
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // `vite` (the dev server) talks to the relay of `pnpm dev`.
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
  },
});
