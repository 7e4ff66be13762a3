/**
 * A tag co-segmentation proposal in the annotation editor, in real Chromium (browser mode): a proposal
 * stored the way startCoseg stores one (ProposalsRepo, kind 'tags', source `tags:album-<id>`, two
 * components: a dog and a cat) is listed for the image, one component is accepted with a click, the mask
 * is saved, and the saved PNG decoded in Node holds exactly the accepted component (the other stays
 * without a label). The co-segmentation engine itself is covered by tests/unit/coseg (it needs a trained
 * model, which is too slow to make here). Needs a build (`npx electron-vite build`) and /usr/bin/chromium.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeLabelPng, encodeLabelPng } from '../../src/main/media/label-png'
import { Project } from '../../src/main/project/project'
import { ProposalsRepo } from '../../src/main/project/proposals-repo'
import { cosegSourceId } from '../../src/shared/coseg'
import { makePhotoFolder } from './helpers/fixtures'
import { openBrowser, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'
import { annotateAttr, annotatorPoint } from './helpers/annotator'

const W = 480
const H = 360
const DOG = 12
const CAT = 8
/** The two components of the proposal: [x0, y0, x1, y1) boxes. */
const DOG_BOX = [40, 40, 160, 140] as const
const CAT_BOX = [260, 180, 400, 300] as const

let tmp: string
let project: string
let server: Served
let session: BrowserSession
let page: Page
let imageId = 0
let albumId = 0
let proposalId = 0

const inBox = (b: readonly number[], x: number, y: number): boolean =>
  x >= b[0]! && x < b[2]! && y >= b[1]! && y < b[3]!

const at = (x: number, y: number): Promise<{ x: number; y: number }> => annotatorPoint(page, x, y)

const attr = (name: string): Promise<string | null> => annotateAttr(page, name)

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-coseg-'))
  const env = { ...process.env, PSS_STUDIO_HOME: join(tmp, 'home') }
  const photos = await makePhotoFolder(join(tmp, 'photos'), 2)
  project = join(tmp, 'project')
  await cli(['create', '--project', project], env)
  await cli(['import', '--project', project, '--folder', photos.dir, '--album', 'Pets'], env)
  // Store the proposal through the repository, as the co-segmentation job does, before the server
  // takes the project's lock.
  const p = Project.open(project)
  try {
    const row = p.db.prepare("SELECT id, album_id FROM images WHERE name = 'IMG_1000.jpg'").get() as {
      id: number
      album_id: number
    }
    imageId = row.id
    albumId = row.album_id
    const labels = new Uint8Array(W * H).fill(255)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        if (inBox(DOG_BOX, x, y)) labels[y * W + x] = DOG
        if (inBox(CAT_BOX, x, y)) labels[y * W + x] = CAT
      }
    ;[proposalId] = new ProposalsRepo(p.db, p.paths).putMany([
      {
        imageId,
        kind: 'tags',
        sourceId: cosegSourceId(albumId),
        label: 'Tag co-segmentation (cluster 0)',
        png: encodeLabelPng({ width: W, height: H, labels }),
        classes: [CAT, DOG],
        meta: { group: 0, tags: [CAT, DOG] },
      },
    ]) as [number]
  } finally {
    p.close()
  }
  server = await serve(['--project', project], env)
  session = await openBrowser({ resultsDir: resolve('test-results/coseg-e2e') })
  page = session.page
}, 120_000)

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('a tag co-segmentation proposal in the editor', () => {
  it('is listed, one component is accepted with a click, and the saved PNG holds exactly that component', async () => {
    await page.goto(server.url)
    await page.waitForSelector('body[data-ready="true"]')
    await page.evaluate(
      ([a, i]) =>
        ((globalThis as unknown as { location: { hash: string } }).location.hash =
          `#/album/${a}/annotate/${i}`),
      [albumId, imageId] as const,
    )
    await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"][data-image-id="${imageId}"]`, {
      timeout: 30_000,
    })

    const key = `proposal:${proposalId}`
    const option = page.locator(`${tid('proposal-select')} option[value="${key}"]`)
    await expect.poll(() => option.count(), { timeout: 15_000 }).toBe(1)
    expect(await option.textContent()).toBe('Tag co-segmentation (cluster 0)')
    await page.selectOption(tid('proposal-select'), key)
    await page.waitForSelector(
      `${tid('proposals-panel')}[data-proposal="${key}"][data-proposal-state="ready"]`,
      { timeout: 15_000 },
    )
    expect(await page.locator(tid('proposal-classes')).textContent()).toMatch(/cat[\s\S]*dog|dog[\s\S]*cat/)

    // Accept the dog only, then save.
    await page.click(tid('tool-accept'))
    const dog = await at((DOG_BOX[0] + DOG_BOX[2]) / 2, (DOG_BOX[1] + DOG_BOX[3]) / 2)
    await page.mouse.click(dog.x, dog.y)
    await expect.poll(() => attr('data-dirty')).toBe('true')
    await page.click(tid('annotate-save'))
    await expect.poll(() => attr('data-version')).toBe('1')
    await expect.poll(() => attr('data-dirty')).toBe('false')

    const saved = decodeLabelPng(readFileSync(join(project, 'masks', String(imageId), 'v1.png')))
    expect([saved.width, saved.height]).toEqual([W, H])
    let wrong = 0
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const want = inBox(DOG_BOX, x, y) ? DOG : 255
        if (saved.labels[y * W + x] !== want) wrong++
      }
    expect(wrong).toBe(0)
    expect(session.pageErrors).toEqual([])
  }, 120_000)
})
