import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { TRAINING_TESTS } from './tests/test-sets'

// PSS_TEST_SET=fast leaves out the files that train a model (tests/test-sets.ts); =training runs only them.
const testSet = process.env.PSS_TEST_SET ?? 'all'
if (!['all', 'fast', 'training'].includes(testSet))
  throw new Error(`PSS_TEST_SET=${testSet}: use all, fast or training`)
const unitInclude = testSet === 'training' ? [...TRAINING_TESTS] : ['tests/unit/**/*.test.ts']
const unitExclude = testSet === 'fast' ? [...TRAINING_TESTS] : []

// Three projects: Node code (unit), DOM code in happy-dom (dom), and end-to-end tests that drive the
// built studio in real Chromium through browser mode (e2e; needs `npm run build` first).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: unitInclude,
          exclude: ['**/node_modules/**', ...unitExclude],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
          // The inner loop shares one module graph per worker: loading the studio's modules again for each
          // of ~100 files is most of its time. `npm test` and CI keep every file isolated.
          isolate: testSet !== 'fast',
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'dom',
          environment: 'happy-dom',
          include: ['tests/dom/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
})
