/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Rust server embeds web/dist and serves index.html for unknown non-/api paths.
// `npm run dev` proxies the API to a server running locally (override with YINGKE_BACKEND).
const backend = process.env.YINGKE_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // scripts/size.mjs follows the chunks of the first load through it (`npm run size`).
    manifest: true,
  },
  server: {
    proxy: {
      // ws: the agent socket (/api/v1/ws) goes through the proxy too.
      '/api': { target: backend, changeOrigin: false, ws: true },
      '/healthz': { target: backend },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // antd in jsdom is slow, more so on a busy two-core machine.
    testTimeout: 30_000,
  },
});
