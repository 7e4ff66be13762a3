/**
 * Runs the built CLI (out/main/cli.js): `create` a project, `serve` it in browser mode as a child
 * process, reading the URL from the line it prints.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Where the build lives: out/ by default, or PSS_E2E_OUT (a private build folder). */
export function buildDir(): string {
  return resolve(process.env.PSS_E2E_OUT ?? 'out')
}

export function cliPath(): string {
  const cli = join(buildDir(), 'main', 'cli.js')
  if (!existsSync(cli) || !existsSync(join(buildDir(), 'renderer', 'index.html'))) {
    throw new Error(`no build at ${buildDir()}: run \`npx electron-vite build\` before the e2e tests`)
  }
  return cli
}

export async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, [cliPath(), ...args], { env, timeout: 120_000 })
  return stdout
}

export interface Served {
  url: string
  child: ChildProcess
  output: () => string
  stop(): Promise<void>
}

const URL_LINE = /PSS Studio \(browser mode\): (http:\/\/\S+)/

export function serve(args: string[], env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [cliPath(), 'serve', '--port', '0', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const output = () => out
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
      child.once('exit', () => {
        clearTimeout(force)
        done()
      })
      child.kill('SIGINT')
    })
  return new Promise((resolveServed, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`serve printed no URL within 60 s; output:\n${out}`))
    }, 60_000)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const m = URL_LINE.exec(out)
      if (m) {
        clearTimeout(timer)
        resolveServed({ url: m[1]!, child, output, stop })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code} before printing its URL; output:\n${out}`))
    })
  })
}
