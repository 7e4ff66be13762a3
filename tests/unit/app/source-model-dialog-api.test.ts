/**
 * The API behind "Add a source model" (issue 14 item 4), on a real project (SQLite) and real files:
 * inspectSourceModel shows what a .pth is without storing it (and refuses a bad file with the reader's
 * message), and downloadTorchvisionModel's job streams a published checkpoint from a loopback server,
 * checks its sha256 prefix and adds it — or says why not: a server that cannot be reached ("cannot reach
 * <host> (…)"), the default host offline, a wrong sha256 prefix, an HTTP refusal, a cancel. Every refusal
 * leaves the project's models/ and source_models as they were. The success path serves a real LR-ASPP
 * state dict written by Debian's torchvision (/usr/bin/python3).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import {
  BASE_URL_ENV,
  DEFAULT_TORCHVISION_BASE_URL,
  downloadCheckpoint,
  fetchToFile,
  torchvisionBaseUrl,
  unreachableMessage,
} from '../../../src/main/app/torchvision-download'
import { architectureSpec } from '../../../src/main/engine/models/torch/architecture-specs'
import { writeSpecPth } from '../engine/torch/torch-file-writer'
import { torchUnavailable } from '../engine/torch/python-fixtures'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
const noTorch = torchUnavailable()
let studio: Studio
let root: string
let files: string
let specPth: string
/** What the loopback server answers, by URL path. */
let routes: Record<string, (res: http.ServerResponse) => void> = {}
let server: http.Server
let base = ''
const savedEnv = process.env[BASE_URL_ENV]

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')
const modelFiles = (): string[] =>
  fs.existsSync(path.join(root, 'models')) ? fs.readdirSync(path.join(root, 'models')).sort() : []

beforeAll(async () => {
  files = tmp.make('pss-dl-files-')
  specPth = path.join(files, 'lraspp-spec.pth')
  writeSpecPth(specPth, architectureSpec('lraspp_mobilenet_v3_large', 21, false))
  studio = new Studio({ mode: 'cli', homeDir: tmp.make('pss-dl-home-'), jobs: { writeIntervalMs: 10 } })
  root = path.join(tmp.make('pss-dl-proj-'), 'project')
  await studio.api.createProject({ path: root })
  server = http.createServer((req, res) => {
    const route = routes[req.url ?? '']
    if (route) route(res)
    else res.writeHead(404, 'Not Found').end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/`
})

afterEach(() => {
  routes = {}
  if (savedEnv === undefined) delete process.env[BASE_URL_ENV]
  else process.env[BASE_URL_ENV] = savedEnv
})

afterAll(async () => {
  await studio.close()
  await new Promise((r) => server.close(r))
  tmp.cleanup()
})

function serveFile(urlPath: string, file: string): void {
  routes[urlPath] = (res) => {
    const body = fs.readFileSync(file)
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' })
    res.end(body)
  }
}

async function downloadJob(file: string) {
  const { jobId } = await studio.api.downloadTorchvisionModel({
    file: file as 'lraspp_mobilenet_v3_large-d234d4ea.pth',
  })
  return studio.currentJobs().settled(jobId)
}

describe('inspectSourceModel', () => {
  it('shows architecture, parameters, classes and sha256 without storing anything', async () => {
    const found = await studio.api.inspectSourceModel({ path: specPth })
    expect(found).toMatchObject({
      file: specPth,
      name: 'lraspp-spec',
      arch: 'lraspp_mobilenet_v3_large',
      classes: 21,
      parameterCount: 3_221_538,
      hasAux: false,
      sha256: sha256(specPth),
      bytes: fs.statSync(specPth).size,
      runnable: true,
      duplicateOf: null,
    })
    expect(modelFiles()).toEqual([])
    expect(await studio.api.listSourceModels({})).toEqual([])
  })

  it('refuses a truncated checkpoint and a non-checkpoint with messages naming the file', async () => {
    const half = path.join(files, 'half.pth')
    const bytes = fs.readFileSync(specPth)
    fs.writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2)))
    await expect(studio.api.inspectSourceModel({ path: half })).rejects.toThrow(
      new RegExp(`${half}.*(zip|truncated|end of central)`, 'i'),
    )
    const text = path.join(files, 'notes.pth')
    fs.writeFileSync(text, 'not a checkpoint\n'.repeat(10))
    await expect(studio.api.inspectSourceModel({ path: text })).rejects.toThrow(new RegExp(text))
    await expect(studio.api.inspectSourceModel({ path: 'relative/x.pth' })).rejects.toThrow(
      /path must be absolute/,
    )
    expect(modelFiles()).toEqual([])
  })

  it('reports a file already in the project as duplicateOf', async () => {
    const copy = path.join(files, 'again.pth')
    fs.copyFileSync(specPth, copy)
    const added = await studio.api.addSourceModel({ path: specPth })
    const found = await studio.api.inspectSourceModel({ path: copy })
    expect(found.duplicateOf).toMatchObject({ id: added.id, name: 'lraspp-spec' })
  })
})

describe('downloadTorchvisionModel', () => {
  it('reads the base URL from the main process environment only, defaulting to download.pytorch.org', () => {
    expect(torchvisionBaseUrl({})).toBe(DEFAULT_TORCHVISION_BASE_URL)
    expect(torchvisionBaseUrl({ [BASE_URL_ENV]: 'http://127.0.0.1:9/m' })).toBe('http://127.0.0.1:9/m/')
    expect(() => torchvisionBaseUrl({ [BASE_URL_ENV]: 'ftp://x/' })).toThrow(/not an http\(s\) URL/)
    // The renderer cannot pass a URL or a file off the list.
    return expect(
      studio.api.downloadTorchvisionModel({ file: 'evil.pth', url: 'http://x/' } as never),
    ).rejects.toThrow(/invalid arguments/)
  })

  it('says "cannot reach download.pytorch.org (…)" when the machine is offline', async () => {
    const project = studio.currentProject()
    const before = modelFiles()
    // DNS fails as it does offline (the lookup is injected so the test does not depend on the network).
    const offline = (host: string, _o: unknown, cb: (e: Error | null, a: string, f: number) => void): void =>
      cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), '', 4)
    const ac = new AbortController()
    await expect(
      downloadCheckpoint(project, 'lraspp_mobilenet_v3_large-d234d4ea.pth', {
        baseUrl: DEFAULT_TORCHVISION_BASE_URL,
        signal: ac.signal,
        progress: () => {},
        lookup: offline as never,
      }),
    ).rejects.toThrow(/^cannot reach download\.pytorch\.org \(getaddrinfo ENOTFOUND download\.pytorch\.org\)/)
    expect(
      unreachableMessage('https://download.pytorch.org/models/x.pth', new Error('connect ENETUNREACH')),
    ).toMatch(/^cannot reach download\.pytorch\.org \(connect ENETUNREACH\)/)
    expect(modelFiles()).toEqual(before)
  })

  it('fails the job naming the host when nothing listens there, and adds nothing', async () => {
    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    process.env[BASE_URL_ENV] = `http://127.0.0.1:${port}/models/`
    const before = modelFiles()
    const job = await downloadJob('lraspp_mobilenet_v3_large-d234d4ea.pth')
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(new RegExp(`cannot reach 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED`))
    expect(modelFiles()).toEqual(before)
  })

  it('refuses a file whose sha256 does not match the prefix in its published name', async () => {
    process.env[BASE_URL_ENV] = base
    serveFile('/models/deeplabv3_mobilenet_v3_large-fc3c493d.pth', specPth)
    const before = modelFiles()
    const rows = (await studio.api.listSourceModels({})).length
    const job = await downloadJob('deeplabv3_mobilenet_v3_large-fc3c493d.pth')
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(/sha256 begins [0-9a-f]{8}, but its published name says fc3c493d.*not added/)
    expect(modelFiles()).toEqual(before)
    expect((await studio.api.listSourceModels({})).length).toBe(rows)
  })

  it('names an HTTP refusal', async () => {
    process.env[BASE_URL_ENV] = base
    const job = await downloadJob('fcn_resnet50_coco-1167a1af.pth')
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(/fcn_resnet50_coco-1167a1af\.pth answered HTTP 404 Not Found/)
  })

  it('cancels a download that is under way and leaves no file behind', async () => {
    process.env[BASE_URL_ENV] = base
    let hang: http.ServerResponse | null = null
    routes['/models/deeplabv3_resnet50_coco-cd0a2569.pth'] = (res) => {
      res.writeHead(200, { 'content-length': 10_000_000 })
      res.write(Buffer.alloc(64 * 1024)) // then nothing: the job waits mid-file until cancelled
      hang = res
    }
    const before = modelFiles()
    const { jobId } = await studio.api.downloadTorchvisionModel({
      file: 'deeplabv3_resnet50_coco-cd0a2569.pth',
    })
    for (let i = 0; i < 200 && (await studio.api.getJob({ jobId })).progress.done === 0; i++)
      await new Promise((r) => setTimeout(r, 20))
    const running = await studio.api.getJob({ jobId })
    expect(running.progress).toMatchObject({ unit: 'bytes', total: 10_000_000 })
    expect(running.progress.done).toBeGreaterThan(0)
    await studio.api.cancelJob({ jobId })
    const job = await studio.currentJobs().settled(jobId)
    expect(job.status).toBe('cancelled')
    ;(hang as http.ServerResponse | null)?.destroy()
    expect(modelFiles()).toEqual(before)
  })

  it('names a connection that breaks off mid-file, and a full disk by the file it was writing', async () => {
    routes['/cut.pth'] = (res) => {
      res.writeHead(200, { 'content-length': 100_000 })
      res.write(Buffer.alloc(1000), () => res.destroy())
    }
    const out = path.join(tmp.make('pss-dl-cut-'), 'cut.pth')
    const opts = { signal: new AbortController().signal, progress: () => {}, maxBytes: 1e9 }
    await expect(fetchToFile(`${base.replace(/models\/$/, '')}cut.pth`, out, opts)).rejects.toThrow(
      /(broke off after 0\.0 MB|ended after 1000 of 100000 bytes).*nothing was added/,
    )
    serveFile('/full.pth', specPth)
    // Linux's /dev/full answers every write with ENOSPC, as a full disk does.
    if (fs.existsSync('/dev/full'))
      await expect(
        fetchToFile(`${base.replace(/models\/$/, '')}full.pth`, '/dev/full', opts),
      ).rejects.toThrow(/^disk full while writing \/dev\/full$/)
    // A length over the limit is refused before anything is written.
    await expect(
      fetchToFile(`${base.replace(/models\/$/, '')}full.pth`, out, { ...opts, maxBytes: 1000 }),
    ).rejects.toThrow(/over the 0\.00 GB a source model may have/)
  })

  describe.skipIf(noTorch !== null)('with a checkpoint written by torchvision', () => {
    it('downloads, checks the sha256 prefix and adds the model with its URL as provenance', async () => {
      const real = path.join(files, 'lraspp-real.pth')
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          'import sys, torch; from torchvision.models import segmentation as s; torch.manual_seed(11); ' +
            'torch.save(s.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21).state_dict(), sys.argv[1])',
          real,
        ],
        { stdio: 'pipe', timeout: 120_000 },
      )
      const digest = sha256(real)
      // Published names carry the first 8 hex digits of the file's sha256; this one is named the same way.
      const name = `lraspp_mobilenet_v3_large-${digest.slice(0, 8)}.pth`
      serveFile(`/models/${name}`, real)
      const steps: number[] = []
      const model = await downloadCheckpoint(studio.currentProject(), name, {
        baseUrl: base,
        signal: new AbortController().signal,
        progress: (done, total) => {
          steps.push(done)
          expect(total).toBe(fs.statSync(real).size)
        },
      })
      expect(model).toMatchObject({
        name: `lraspp_mobilenet_v3_large-${digest.slice(0, 8)}`,
        arch: 'lraspp_mobilenet_v3_large',
        classes: 21,
        parameterCount: 3_221_538,
        sha256: digest,
        originalPath: `${base}${name}`,
      })
      expect(steps.at(-1)).toBe(fs.statSync(real).size)
      expect(sha256(path.join(root, model.file))).toBe(digest)
      expect((await studio.api.listSourceModels({})).map((m) => m.sha256)).toContain(digest)
      // No temp download is left behind anywhere in the project.
      expect(modelFiles().filter((f) => !f.endsWith('.pth'))).toEqual([])
    }, 180_000)
  })
})

describe('pickFile', () => {
  it('is UNSUPPORTED without the desktop picker, passes title and extensions to it otherwise', async () => {
    await expect(studio.api.pickFile({ title: 'Choose' })).rejects.toThrow(
      /needs the desktop app.*type the path instead/,
    )
    expect((await studio.api.appInfo({})).capabilities.pickFile).toBe(false)
    const seen: unknown[] = []
    const desktop = new Studio({
      mode: 'electron',
      homeDir: tmp.make('pss-dl-home2-'),
      pickFile: async (title, extensions) => {
        seen.push({ title, extensions })
        return '/picked/model.pth'
      },
    })
    try {
      expect(await desktop.api.pickFile({ title: 'Choose a checkpoint', extensions: ['pth', 'pt'] })).toEqual(
        { path: '/picked/model.pth' },
      )
      expect(seen).toEqual([{ title: 'Choose a checkpoint', extensions: ['pth', 'pt'] }])
      expect((await desktop.api.appInfo({})).capabilities.pickFile).toBe(true)
      await expect(desktop.api.pickFile({ extensions: ['.pth'] })).rejects.toThrow(/without the dot/)
    } finally {
      await desktop.close()
    }
  })
})
