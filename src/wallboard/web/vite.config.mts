import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The wallboard page: plain TypeScript and CSS, built into dist/wallboard (served by
// src/wallboard/server.ts). Everything it needs is in the bundle: no CDN, no external font.
export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../../../dist/wallboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Nothing inlined as data: URLs and no module-preload polyfill: one script, one stylesheet.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
