import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { startServer } from '../../server'
import { isLoopbackHost } from '../../server/security'
import {
  EXIT_OK,
  UsageError,
  parseCommandArgs,
  parsePort,
  printJson,
  type CliIo,
  type Command,
} from '../args'
import { withStudio } from '../studio-session'

/** out/renderer next to the built CLI (out/main/cli.js); from sources, the repository's out/renderer. */
export function defaultRendererDir(): string {
  const built = join(__dirname, '../renderer')
  return existsSync(join(built, 'index.html')) ? built : resolve(__dirname, '../../../out/renderer')
}

/** Opens a URL in the user's browser; a failure is only a warning (headless boxes have no browser). */
function openBrowser(url: string, io: CliIo): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true })
    child.on('error', (err) =>
      io.err(`could not open a browser (${err.message}); open the URL above yourself`),
    )
    child.unref()
  } catch (err) {
    io.err(`could not open a browser (${(err as Error).message}); open the URL above yourself`)
  }
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the studio to a browser on this machine (browser mode)',
  usage: `Usage: pss-studio serve [--project DIR] [--port N] [--host 127.0.0.1] [--allow-remote] [--open] [--json]

Starts the local server and prints the URL to open (it carries a one-time session token).
Stops on Ctrl-C.

Options:
  --project DIR    open this project (otherwise choose one in the page)
  --port N         port to listen on (default 0: a free port)
  --host ADDR      address to bind (default 127.0.0.1; non-loopback needs --allow-remote)
  --allow-remote   allow binding a non-loopback address (anyone who can reach it and has the token gets in)
  --open           open the URL in the default browser
  --renderer-dir D serve the built renderer in D (default: out/renderer)
  --json           print {url, host, port} as JSON instead of the line`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-remote': { type: 'boolean' },
      open: { type: 'boolean' },
      json: { type: 'boolean' },
      'renderer-dir': { type: 'string' },
    })
    const port = parsePort(opts.port)
    if (opts.host !== undefined && !isLoopbackHost(opts.host) && !opts['allow-remote']) {
      throw new UsageError(
        `--host ${opts.host} is not a loopback address: anyone on the network could reach the studio; add --allow-remote if you mean it`,
      )
    }
    await withStudio('browser', async (studio) => {
      if (opts.project !== undefined) await studio.openProjectPath(resolve(opts.project))
      const server = await startServer({
        studio,
        rendererDir:
          opts['renderer-dir'] !== undefined ? resolve(opts['renderer-dir']) : defaultRendererDir(),
        host: opts.host,
        port,
        allowRemote: opts['allow-remote'] === true,
      })
      if (opts.json) printJson(io, { url: server.url, host: server.host, port: server.port })
      else io.out(`PSS Studio (browser mode): ${server.url}`)
      if (opts.open) openBrowser(server.url, io)
      await new Promise<void>((done) => {
        if (io.signal.aborted) done()
        else io.signal.addEventListener('abort', () => done(), { once: true })
      })
      io.err('Stopping the server…')
      await server.close()
    })
    return EXIT_OK
  },
}
