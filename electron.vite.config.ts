import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

// Native modules and keytar stay external: they are loaded from node_modules at run time.
const external = ['better-sqlite3', 'keytar', 'electron'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/app/electron-main.ts'),
          // The sync envelope-check thread (src-main/sync/check-thread.ts looks for it beside
          // the module that starts it, so both are emitted at the top of out/main).
          'check-worker': resolve(__dirname, 'src-main/sync/check-worker.ts'),
        },
        external,
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        external: ['electron'],
        // A sandboxed preload cannot load ES modules: emit one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
