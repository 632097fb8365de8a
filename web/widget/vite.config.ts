/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Emits dist/h5.html next to dist/widget.js. The page loads /widget.js in H5 mode,
// so the embed and the full-page chat share one bundle.
function h5Page(): Plugin {
  return {
    name: 'yingke-h5-page',
    apply: 'build',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'h5.html',
        source: readFileSync(here('./src/h5.html'), 'utf8'),
      });
    },
  };
}

// Host pages may be served without a charset (the browser then decodes scripts as
// windows-1252): keep the bundle pure ASCII by escaping every other UTF-16 code unit.
// Inside string, template and regex literals and identifiers, \uXXXX means the same thing.
function asciiOnly(): Plugin {
  return {
    name: 'yingke-ascii-only',
    apply: 'build',
    enforce: 'post',
    generateBundle(_, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk') {
          file.code = file.code.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
        }
      }
    },
  };
}

export default defineConfig({
  plugins: [h5Page(), asciiOnly()],
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2019', 'safari13', 'chrome70'],
    cssCodeSplit: false,
    sourcemap: false,
    lib: {
      entry: here('./src/embed.ts'),
      name: 'YingkeWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./test/setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    css: true,
  },
});
