/** `pss-studio backend` in-process: the report, JSON, and a forced backend that is not available here. */
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../src/main/cli/run'
import { nodeRequire } from '../../../src/main/engine/backend/node-require'

function installed(pkg: string): boolean {
  try {
    nodeRequire().resolve(pkg)
    return true
  } catch {
    return false
  }
}
const NATIVE = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node')

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const signal = new AbortController().signal
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('pss-studio backend', () => {
  it.skipIf(NATIVE)(
    'prints the backend, device, each skipped backend on its own line and the GPU hint',
    async () => {
      const r = await cli('backend')
      expect(r.code, r.err).toBe(0)
      const lines = r.out.split('\n')
      expect(lines[0]).toBe("Backend  wasm (tfjs backend 'wasm')")
      expect(lines[1]).toMatch(/^Device {3}.*WebAssembly/)
      expect(lines).toContain('Better backends skipped')
      expect(lines.some((l) => /^ {2}tfjs-node-gpu: not installed .*CUDA 11\.2 \+ cuDNN 8\.1/.test(l))).toBe(
        true,
      )
      expect(lines.some((l) => /^ {2}tfjs-node: not installed/.test(l))).toBe(true)
      expect(lines.at(-1)).toMatch(
        /^GPU training: install @tensorflow\/tfjs-node-gpu@4\.22 .*TFJS_NODE_CDN_STORAGE/,
      )
    },
  )

  it('--json --force cpu prints the forced report as JSON', async () => {
    const r = await cli('backend', '--json', '--force', 'cpu')
    expect(r.code, r.err).toBe(0)
    const j = JSON.parse(r.out)
    expect(j).toMatchObject({ name: 'cpu', tfBackend: 'cpu', forced: true })
    expect(j.reasons).toEqual(['forced by the backend setting: cpu'])
    expect(j.gpuHint).toMatch(/CUDA 11\.2/)
  })

  it.skipIf(installed('@tensorflow/tfjs-node-gpu'))(
    '--force gpu exits 1 saying it is not available and why',
    async () => {
      const r = await cli('backend', '--force', 'gpu')
      expect(r.code).toBe(1)
      expect(r.out).toBe('')
      expect(r.err).toMatch(
        /^pss-studio backend: The forced backend 'tfjs-node-gpu' is not available: tfjs-node-gpu: not installed/,
      )
      expect(r.err).toContain('GPU training: install @tensorflow/tfjs-node-gpu@4.22')
    },
  )

  it('--force with a name that is not a backend is a usage error (exit 2)', async () => {
    const r = await cli('backend', '--force', 'webgpu')
    expect(r.code).toBe(2)
    expect(r.err).toContain("--force 'webgpu' is not a backend")
  })
})
