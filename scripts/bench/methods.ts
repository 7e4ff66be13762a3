/**
 * `npm run bench:methods -- [--preset tiny|demo|full] [--seeds N] [--methods a,b,…|a+tta,…] [--extras tta,crf]
 *   [--table5 | --data personal,mixall,mixsample] [--k 1,10,80,200] [--context none,global,ours]
 *   [--ablation-method pss-s1] [--json]`
 * = `pss-studio bench methods …` (see src/main/cli/commands/bench.ts; `--help` lists every option).
 */
import { runCli } from '../../src/main/cli/run'

const controller = new AbortController()
process.on('SIGINT', () => controller.abort())
runCli(['bench', 'methods', ...process.argv.slice(2)], {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  signal: controller.signal,
})
  .then((code) => {
    process.exitCode = code
  })
  .catch((err: unknown) => {
    process.stderr.write(
      `bench:methods: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    process.exitCode = 1
  })
