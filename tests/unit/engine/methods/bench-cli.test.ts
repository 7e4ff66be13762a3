/** `pss-studio bench methods` argument handling (no training: every case fails before any work starts). */
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../../src/main/cli/run'
import { parseMethods } from '../../../../src/main/cli/commands/bench'
import { BENCH_METHODS } from '../../../../src/main/engine/pipelines/methods'

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    signal: new AbortController().signal,
  })
  return { code, out, err }
}

describe('pss-studio bench methods', () => {
  it('parses method lists', () => {
    expect(parseMethods(undefined)).toEqual(['noda', 'advent', 'pss-s1', 'pss-s2'])
    expect(parseMethods('all')).toEqual([...BENCH_METHODS])
    expect(parseMethods('advent, noda,advent')).toEqual(['advent', 'noda'])
    expect(() => parseMethods('advent,bogus')).toThrow(/bad: bogus/)
  })

  it('refuses bad arguments with usage errors', async () => {
    expect((await cli(['bench', 'nothing'])).err.join('\n')).toMatch(
      /unknown benchmark "nothing"; available: methods/,
    )
    const bad = await cli(['bench', 'methods', '--preset', 'huge'])
    expect(bad.code).toBe(2)
    expect(bad.err.join('\n')).toMatch(/--preset must be one of tiny, demo, full/)
    expect((await cli(['bench', 'methods', '--seeds', '0'])).err.join('\n')).toMatch(
      /--seeds must be an integer from 1 to 20/,
    )
    expect((await cli(['bench', 'methods', '--methods', 'x'])).code).toBe(2)
  })

  it('prints its usage', async () => {
    const r = await cli(['bench', 'methods', '--help'])
    expect(r.code).toBe(0)
    expect(r.out.join('\n')).toMatch(/Usage: pss-studio bench methods/)
  })
})
