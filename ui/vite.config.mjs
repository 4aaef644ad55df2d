// The UI bundle: built into dist/ui by scripts/build.mjs and served at /ui. Nothing is loaded from the
// internet: no web fonts, icons are inline SVG, every module is bundled.
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [vue()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // The editor and the graph layout load with the flow page, not with the first page.
    chunkSizeWarningLimit: 800,
  },
});
