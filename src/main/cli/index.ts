/**
 * `pss-studio` CLI entry (built to out/main/cli.js; bin/pss-studio.cjs loads it). Never imports
 * Electron: it runs under plain Node, and also hosts browser mode (`pss-studio serve`).
 */
import { runCli } from './run'

const controller = new AbortController()
let interrupts = 0
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First signal: stop cleanly (cancel the job, close the server, release the lock). Second: now.
    if (++interrupts > 1) process.exit(130)
    controller.abort()
  })
}

runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  signal: controller.signal,
})
  .then((code) => {
    process.exitCode = code
  })
  .catch((err: unknown) => {
    process.stderr.write(`pss-studio: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exitCode = 1
  })
