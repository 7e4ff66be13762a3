/** Test helpers for the doors: temp folders, real HTTP requests with raw paths, real images, jobs. */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import sharp from 'sharp'
import { isFinalJobStatus, type JobRecord } from '../../../src/shared/api'
import { ensureDemoProject } from '../../../src/main/app/demo-project'
import { Studio } from '../../../src/main/app/studio'
import { startServer, type RunningServer, type ServerOptions } from '../../../src/main/server'
import { TempDirs } from '../project/fixtures'

export { TempDirs }

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
}

/**
 * One HTTP request with the path sent byte for byte (fetch would normalise `..` and `%2e%2e` away
 * before the server could be tested against them).
 */
export function request(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...opts.headers }
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body))
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

/** A small built-renderer folder: index.html, a script asset and a subfolder. */
export function makeRendererDir(dir: string): string {
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true })
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/app-1.js"></script></head><body><div id="app"></div></body></html>',
  )
  fs.writeFileSync(path.join(dir, 'assets', 'app-1.js'), 'console.log("studio")\n')
  fs.writeFileSync(path.join(dir, 'assets', 'style-1.css'), 'body{margin:0}\n')
  fs.writeFileSync(path.join(dir, '.env'), 'SECRET=1\n')
  return dir
}

/** A real JPEG photo-like image (noise, so it is not trivially compressible). */
export async function writeJpeg(file: string, width = 96, height = 64, seed = 1): Promise<void> {
  const px = Buffer.alloc(width * height * 3)
  let s = seed >>> 0
  for (let i = 0; i < px.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0
    px[i] = (s >>> 24) & 0xff
  }
  await sharp(px, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toFile(file)
}

export async function waitForJob(studio: Studio, jobId: number, timeoutMs = 30_000): Promise<JobRecord> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const job = await studio.api.getJob({ jobId })
    if (isFinalJobStatus(job.status)) return job
    if (Date.now() > until)
      throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms: ${JSON.stringify(job.progress)}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export interface ServerFixture {
  studio: Studio
  server: RunningServer
  port: number
  token: string
  projectPath: string
  rendererDir: string
  /** Headers of an authenticated same-origin API call. */
  auth: Record<string, string>
  close(): Promise<void>
}

/** A real Studio on a new temp project, served by a real server on 127.0.0.1:random. */
export async function startFixture(
  tmp: TempDirs,
  serverOpts: Partial<ServerOptions> = {},
): Promise<ServerFixture> {
  const studio = new Studio({
    mode: 'browser',
    homeDir: tmp.make('pss-home-'),
    jobs: { writeIntervalMs: 10 },
  })
  const projectPath = path.join(tmp.make(), 'project')
  await studio.api.createProject({ path: projectPath, name: 'Doors test' })
  const rendererDir = makeRendererDir(tmp.make('pss-renderer-'))
  const server = await startServer({ studio, rendererDir, ...serverOpts })
  return {
    studio,
    server,
    port: server.port,
    token: server.token,
    projectPath,
    rendererDir,
    auth: { 'x-pss-token': server.token, 'content-type': 'application/json' },
    async close() {
      await server.close()
      await studio.close()
    },
  }
}

/** Polls `f` every `everyMs` until it returns a value other than null; throws naming `what` after `ms`. */
export async function until<T>(f: () => T | null, ms: number, what: string, everyMs = 50): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = f()
    if (v !== null) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/**
 * The tiny demo project made in `tmp`/demo (studio home `tmp`/home) and the id of an album with validation
 * masks, which a run can be started on.
 */
export async function demoProjectWithRunnableAlbum(
  tmp: string,
): Promise<{ project: string; albumId: number }> {
  const project = (await ensureDemoProject(path.join(tmp, 'demo'), { preset: 'tiny' })).path
  const s = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home') })
  try {
    await s.openProjectPath(project)
    const album = (await s.api.listAlbums({})).find((a) => a.validationMaskedCount > 0)
    if (!album) throw new Error(`demo project ${project}: no album has validation masks`)
    return { project, albumId: album.id }
  } finally {
    await s.close()
  }
}

/**
 * Spawns tests/unit/runs/fixtures/start-run-child.ts: a studio process that starts a No-DA run of
 * `iterations` at `size` px on the album (wasm) and runs until killed. Resolves once it printed the run's
 * ids; on a timeout the child is killed and the error carries its stderr.
 */
export async function startRunChild(
  project: string,
  albumId: number,
  iterations: number,
  size: number,
): Promise<{ child: ChildProcess; started: { runId: number; jobId: number } }> {
  const script = path.join(__dirname, '..', 'runs', 'fixtures', 'start-run-child.ts')
  const args = ['--import', 'tsx', script, project, String(albumId), String(iterations), String(size)]
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PSS_BACKEND: 'wasm' },
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  try {
    const started = await until(
      () =>
        out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { runId: number; jobId: number }) : null,
      60_000,
      'the child to start a run',
    )
    return { child, started }
  } catch (e) {
    child.kill('SIGKILL')
    throw new Error(`${e instanceof Error ? e.message : String(e)}; the child's stderr: ${err}`)
  }
}

/** SIGKILL (no close handler runs: what a crash leaves behind), resolved once the process has exited. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGKILL')
  await exited
}
