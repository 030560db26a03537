// The dashboard's build: Preact pages from ui/src into dist/ui (served by the daemon at /ui/,
// lib/api/ui-router.ts). Run by scripts/build.js; `npx vite --config ui/vite.config.ts` serves
// it for development.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/ui/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: here('../dist/ui'),
    emptyOutDir: true,
    // Everything local and small: no inlined data: fonts or images, one CSS file.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    target: 'es2022',
  },
});
