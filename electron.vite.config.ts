import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// Main-process bundle has several entries: the Electron app, the CLI/browser-mode host (no Electron
// import), and the engine worker. Node dependencies stay external (native modules, wasm files).
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          // The engine worker thread (every session: training, inference, …), loaded by path at run time
          // (see engine/worker/spawn-engine-worker.ts).
          'engine-worker': resolve(__dirname, 'src/main/engine/worker/engine-worker.ts'),
          // Its data loader (decode + augmentation off the training thread; no tfjs).
          'data-worker': resolve(__dirname, 'src/main/engine/worker/data-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot require() local chunks: bundle everything into one CJS file.
        output: { format: 'cjs', codeSplitting: false, entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [vue()],
    build: {
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
})
