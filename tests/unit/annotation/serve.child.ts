/**
 * Child process for the kill-during-save test: `pss-studio serve --project ROOT --json` through the real
 * CLI code (browser mode: HTTP API over the real store), printing {url, host, port} as one JSON line.
 */
import { runCli } from '../../../src/main/cli/run'

const [root, rendererDir] = process.argv.slice(2)
if (!root || !rendererDir) throw new Error('usage: serve.child.ts PROJECT_ROOT RENDERER_DIR')
const ac = new AbortController()
process.on('SIGINT', () => ac.abort())
process.on('SIGTERM', () => ac.abort())
void runCli(['serve', '--project', root, '--port', '0', '--json', '--renderer-dir', rendererDir], {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  signal: ac.signal,
}).then((code) => process.exit(code))
