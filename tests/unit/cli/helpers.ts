/** Shared helper for the tests that run `pss-studio` commands in-process. */
import { runCli } from '../../../src/main/cli/run'

export interface CliRun {
  code: number
  /** stdout lines joined by newlines. */
  out: string
  /** stderr lines joined by newlines. */
  err: string
}

/** Runs `pss-studio ...argv` in this process (never aborted) and captures its exit code and output. */
export async function cli(...argv: string[]): Promise<CliRun> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    signal: new AbortController().signal,
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}
