/**
 * A kill of the app process during a save leaves either the old or the new mask, never a broken file.
 *
 * The browser-mode server (the real `pss-studio serve` code) runs as a child process; the test saves masks
 * over HTTP in two parallel loops and SIGKILLs the child at a seeded random moment, several rounds. Each
 * saved version's content is a pure function of (image, version), so after every kill the reopened project
 * must hold, for every mask row, a file that decodes to exactly that row's content; images.mask_version is
 * the newest row; a v<n>.png without a row may only be the one version a kill cut off between rename and
 * commit (and then it is complete); the next save of every image continues from the newest row.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/shared/stratified-sample'
import { decodeLabelPng, encodeLabelPng, labelHistogram } from '../../../src/main/media/label-png'
import { Project } from '../../../src/main/project/project'
import { TempDirs } from '../project/fixtures'
import { albumFixture } from './helpers'

const tmp = new TempDirs()
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  tmp.cleanup()
})

const W = 480
const H = 360
const ROUNDS = 6

/** The content of version `v` of image `id`: bands plus hashed noise (so encoding takes real time). */
function contentFor(id: number, v: number): Uint8Array {
  const out = new Uint8Array(W * H)
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let h = Math.imul((x * 73856093) ^ (y * 19349663) ^ ((id * 31 + v) * 83492791), 0x9e3779b1) >>> 0
      h ^= h >>> 15
      const n = h % 7 === 0 ? 255 : ((x >> 4) + (y >> 4) * 3 + v * 5 + id + (h % 3)) % 21
      out[y * W + x] = n
    }
  }
  return out
}

interface Server {
  child: ChildProcess
  base: string
  token: string
  exited: Promise<void>
}

function startServer(root: string, home: string, rendererDir: string): Promise<Server> {
  const script = path.join(__dirname, 'serve.child.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', script, root, rendererDir], {
    env: { ...process.env, PSS_STUDIO_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${out}\n${err}`)), 60_000)
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      try {
        const { url } = JSON.parse(out) as { url: string }
        clearTimeout(timer)
        const u = new URL(url)
        resolve({ child, base: u.origin, token: u.searchParams.get('token')!, exited })
      } catch {
        /* the JSON is not complete yet */
      }
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}\n${err}`)))
  })
}

async function call<T>(s: Server, method: string, args: unknown): Promise<T> {
  const res = await fetch(`${s.base}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pss-token': s.token },
    body: JSON.stringify(args),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (!res.ok) throw new Error(`${method}: ${res.status} ${body.error?.message}`)
  return body.result as T
}

interface Checked {
  rows: number
  orphans: number
  temps: number
}

/** Opens the project after a kill and checks every mask version's file against its row. */
function check(root: string, ids: number[]): Checked {
  const p = Project.open(root)
  try {
    expect(p.db.pragma('integrity_check', { simple: true })).toBe('ok')
    let rows = 0
    let orphans = 0
    let temps = 0
    for (const id of ids) {
      const versions = p.db
        .prepare('SELECT version, file, class_pixels FROM masks WHERE image_id = ? ORDER BY version')
        .all(id) as {
        version: number
        file: string
        class_pixels: string
      }[]
      const latest = versions.at(-1)?.version ?? null
      expect(p.images.row(id).mask_version, `image ${id}`).toBe(latest)
      versions.forEach((v, i) => expect(v.version, `image ${id} versions have no gaps`).toBe(i + 1))
      for (const v of versions) {
        const file = path.join(root, v.file)
        expect(fs.existsSync(file), `row ${id}/v${v.version} has its file`).toBe(true)
        const m = decodeLabelPng(fs.readFileSync(file))
        expect([m.width, m.height]).toEqual([W, H])
        const want = contentFor(id, v.version)
        expect(
          Buffer.from(m.labels).equals(Buffer.from(want)),
          `image ${id} v${v.version} holds its own content`,
        ).toBe(true)
        const hist = Object.fromEntries([...labelHistogram(want)].map(([k, n]) => [String(k), n]))
        expect(JSON.parse(v.class_pixels)).toEqual(hist)
        rows++
      }
      const dir = path.join(root, 'masks', String(id))
      for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const n = /^v(\d+)\.png$/.exec(f)
        if (!n) {
          expect(f, 'only temp files besides versions').toMatch(/^\.tmp-/)
          temps++
          continue
        }
        const v = Number(n[1])
        if (v <= (latest ?? 0)) continue
        // Cut off between rename and commit: only the next version, and complete.
        expect(v, `orphan ${f} of image ${id}`).toBe((latest ?? 0) + 1)
        expect(
          Buffer.from(decodeLabelPng(fs.readFileSync(path.join(dir, f))).labels).equals(
            Buffer.from(contentFor(id, v)),
          ),
        ).toBe(true)
        orphans++
      }
    }
    return { rows, orphans, temps }
  } finally {
    p.close()
  }
}

describe('kill during save', () => {
  it('SIGKILL of the serving process at random moments never leaves a broken mask or a row without its file', async () => {
    const fx = await albumFixture(tmp, 4, { width: W, height: H })
    const root = fx.project.root
    const ids = fx.imageIds
    await fx.studio.close()
    const home = tmp.make()
    const rendererDir = tmp.make()
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
    const rng = mulberry32(20240607)
    const pngCache = new Map<string, string>()
    const pngFor = (id: number, v: number): string => {
      const k = `${id}/${v}`
      let b = pngCache.get(k)
      if (!b) {
        b = Buffer.from(encodeLabelPng({ width: W, height: H, labels: contentFor(id, v) })).toString('base64')
        pngCache.set(k, b)
      }
      return b
    }
    let saved = 0
    let cutOff = 0
    const totals: Checked = { rows: 0, orphans: 0, temps: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      const s = await startServer(root, home, rendererDir)
      // Where each image stands now (continuing after the previous kill).
      const version = new Map<number, number | null>()
      for (const id of ids)
        version.set(
          id,
          (await call<{ maskVersion: number | null }>(s, 'getImage', { imageId: id })).maskVersion,
        )
      // Warm the cache for the first saves, so the kill lands during saves rather than during encoding here.
      for (const id of ids) pngFor(id, (version.get(id) ?? 0) + 1)
      let killed = false
      let firstAck: () => void = () => {}
      const acked = new Promise<void>((r) => (firstAck = r))
      const t0 = performance.now()
      const loop = async (mine: number[]): Promise<void> => {
        for (let k = 0; !killed; k++) {
          const id = mine[k % mine.length]!
          const base = version.get(id) ?? null
          try {
            const r = await call<{ version: number }>(s, 'saveMask', {
              imageId: id,
              pngBase64: pngFor(id, (base ?? 0) + 1),
              baseVersion: base,
            })
            expect(r.version).toBe((base ?? 0) + 1)
            version.set(id, r.version)
            saved++
            firstAck()
          } catch (e) {
            if (!killed) throw e
            cutOff++
          }
        }
      }
      const loops = Promise.all([loop(ids.slice(0, 2)), loop(ids.slice(2))])
      // Seeded moment: after the first acknowledged save of the round (its time tells how long a save
      // takes on this machine), a random 0–3 save-times later, so kills land all over the save path.
      await acked
      const oneSave = performance.now() - t0
      await new Promise((r) => setTimeout(r, Math.floor(rng() * 3 * oneSave)))
      killed = true
      s.child.kill('SIGKILL')
      await s.exited
      await loops
      const c = check(root, ids)
      totals.rows = c.rows
      totals.orphans += c.orphans
      totals.temps += c.temps
    }
    // The saves went on across the rounds, and every version ever acknowledged is there.
    expect(saved).toBeGreaterThan(ROUNDS)
    expect(totals.rows).toBeGreaterThanOrEqual(saved)
    // A final save per image continues from the newest row, replaces any orphan and sweeps temp files.
    const s = await startServer(root, home, rendererDir)
    for (const id of ids) {
      const base = (await call<{ maskVersion: number | null }>(s, 'getImage', { imageId: id })).maskVersion
      await call(s, 'saveMask', { imageId: id, pngBase64: pngFor(id, (base ?? 0) + 1), baseVersion: base })
    }
    s.child.kill('SIGINT')
    await s.exited
    const final = check(root, ids)
    expect(final.orphans).toBe(0)
    expect(final.temps).toBe(0)
    console.log(
      `kill during save: ${ROUNDS} kills, ${saved} saves acknowledged, ${cutOff} cut off, ${totals.orphans} orphan versions and ${totals.temps} temp files seen after kills; ${final.rows} versions checked`,
    )
  }, 240_000)
})
