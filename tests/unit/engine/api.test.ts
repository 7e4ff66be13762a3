/**
 * engine/api.ts is the one engine module the app and the CLI import, and it runs on the main thread,
 * which must never load tfjs (its wasm and kernels belong to the engine worker). Each case loads a module
 * in a fresh Node process (TypeScript through tsx's require hook, as the worker does from sources) and
 * lists the `@tensorflow/*` files that ended up in the module cache. The second case proves the probe sees
 * tfjs when a module does load it, so the first cannot pass by looking in the wrong place.
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '../../..')
const tsxApi = createRequire(path.join(root, 'package.json')).resolve('tsx/cjs/api')

function tensorflowModulesLoadedBy(file: string): string[] {
  const probe = [
    `require(${JSON.stringify(tsxApi)}).register()`,
    `require(${JSON.stringify(path.join(root, file))})`,
    `const tf = Object.keys(require.cache).filter((k) => k.includes('@tensorflow'))`,
    `process.stdout.write(JSON.stringify(tf))`,
  ].join('\n')
  const out = execFileSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  return JSON.parse(out) as string[]
}

describe('engine/api.ts', () => {
  it('loads no @tensorflow module', () => {
    expect(tensorflowModulesLoadedBy('src/main/engine/api.ts')).toEqual([])
  }, 90_000)

  it('the probe does see tfjs when a module loads it (runs/checkpoint.ts)', () => {
    expect(tensorflowModulesLoadedBy('src/main/engine/runs/checkpoint.ts').length).toBeGreaterThan(0)
  }, 90_000)
})
