// The console's build: one single-page app for /console (buyers) and /admin (operators), every
// page its own chunk. Assets live under /console/assets/ with content hashes (cached forever).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Fontsource lists a .woff fallback after every .woff2; every browser the console supports reads
// woff2, so the fallbacks would only double the font files in the build.
const woff2Only = {
  name: 'woff2-only',
  enforce: 'pre' as const,
  transform(code: string, id: string) {
    if (!id.includes('@fontsource') || !id.endsWith('.css')) return undefined;
    return { code: code.replace(/,\s*url\([^)]*\.woff\)\s*format\(['"]woff['"]\)/g, ''), map: null };
  },
};

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [woff2Only, react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // one module preload polyfill script less: every browser we support has modulepreload
    modulePreload: { polyfill: false },
  },
});
