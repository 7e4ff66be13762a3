/**
 * Farm mode from the runs header (issue 18 item 1) in real Chromium (browser mode), against a real
 * redis-server with a password: the chip says runs execute on this machine; enabling farm mode with
 * `redis://:PASSWORD@127.0.0.1:PORT` makes the core check the farm, and the chip then shows
 * `redis://***@127.0.0.1:PORT/0` — the password never appears on the page; "Use this machine" takes runs
 * back; a port nothing listens on is refused with the core's message and the chip still says this machine.
 * The studio's home (farm.json) is a temp folder.
 *
 * Needs a build (`npx electron-vite build`), /usr/bin/chromium and /usr/bin/redis-server (skipped without).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Album } from '../../src/shared/domain'
import type { FarmStatus } from '../../src/shared/farm'
import { freePort, hasRedis, RedisServer } from '../unit/farm/redis-server'
import { callApi, openAlbumTab, openBrowser, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const RESULTS = resolve('test-results/farm-control-e2e')
const PASSWORD = 'farm-pw-7731'
let tmp = ''
let home = ''
let redis: RedisServer | null = null
let server: Served
let session: BrowserSession
let page: Page
let album: Album

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)
const chipText = async (): Promise<string> =>
  ((await page.locator(tid('farm-chip')).textContent()) ?? '').trim()

/** Everything the page shows or holds in its markup must be free of the password. */
async function expectNoPassword(): Promise<void> {
  expect(await page.locator('body').innerText()).not.toContain(PASSWORD)
  expect(await page.content()).not.toContain(PASSWORD)
}

async function openDialog(): Promise<void> {
  await page.click(tid('farm-chip'))
  await page.waitForSelector(tid('farm-dialog'))
}

async function closeDialog(): Promise<void> {
  await page.click(tid('farm-dialog-x'))
  await page.waitForSelector(tid('farm-dialog'), { state: 'detached' })
}

describe.skipIf(!hasRedis)('Farm mode from the runs header (browser mode, real Redis)', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-farm-control-'))
    home = join(tmp, 'home')
    mkdirSync(RESULTS, { recursive: true })
    redis = new RedisServer(join(tmp, 'redis'), await freePort(), PASSWORD)
    await redis.start()
    const env = { ...process.env, PSS_STUDIO_HOME: home, PSS_DEMO_PRESET: 'tiny', PSS_BACKEND: 'wasm' }
    const dir = join(tmp, 'demo')
    await cli(['demo-project', '--dir', dir], env)
    const info = JSON.parse(await cli(['info', '--project', dir, '--json'], env)) as { albums: Album[] }
    album = info.albums[0]!
    server = await serve(['--project', dir], env)
    session = await openBrowser({ resultsDir: RESULTS })
    page = session.page
  }, 300_000)

  afterEach(async (ctx) => {
    await session?.recordFailure(ctx.task, server)
  })

  afterAll(async () => {
    await session?.close()
    await server?.stop()
    await redis?.kill()
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  it('enables farm mode on a real Redis, shows only the redacted address, and takes runs back', async () => {
    const port = redis!.port
    const where = `redis://***@127.0.0.1:${port}/0`
    await openAlbumTab(page, server.url, album.id, 'runs')
    await page.waitForSelector(`${tid('farm-chip')}[data-mode="local"]`)
    expect(await chipText()).toBe('Runs on this machine')

    await openDialog()
    expect(await page.locator(tid('farm-url')).inputValue()).toBe('')
    expect(await page.locator(tid('farm-url')).getAttribute('placeholder')).toBe('redis://host:6379')
    expect(await page.locator(tid('farm-explain')).textContent()).toContain('pss-studio worker --redis URL')
    await page.fill(tid('farm-url'), `redis://:${PASSWORD}@127.0.0.1:${port}`)
    await page.click(tid('farm-enable'))
    await page.waitForSelector(`${tid('farm-chip')}[data-mode="farm"]`, { timeout: 30_000 })
    expect(await chipText()).toBe(`Runs on the farm · ${where}`)
    expect(await page.locator(tid('farm-check')).getAttribute('data-ok')).toBe('true')
    expect(await page.locator(tid('farm-check')).textContent()).toContain(`connected to ${where}`)
    expect(await page.locator(tid('farm-url')).inputValue()).toBe('')
    await page.screenshot({ path: join(RESULTS, 'farm-enabled.png') })
    await expectNoPassword()
    const on = await api<FarmStatus>('farmStatus', {})
    expect(on).toMatchObject({ enabled: true, where })
    expect(JSON.stringify(on)).not.toContain(PASSWORD)
    // The settings live in the test's studio home, not the user's.
    expect(existsSync(join(home, 'farm.json'))).toBe(true)
    await closeDialog()

    // Reopened: the stored password is not prefilled; the field says it keeps the stored address.
    await openDialog()
    expect(await page.locator(tid('farm-url')).inputValue()).toBe('')
    expect(await page.locator(tid('farm-url-hint')).textContent()).toContain(
      'Leave empty to keep the stored address',
    )
    await expectNoPassword()
    await page.click(tid('farm-use-local'))
    await page.waitForSelector(`${tid('farm-chip')}[data-mode="local"]`, { timeout: 30_000 })
    expect(await chipText()).toBe('Runs on this machine')
    expect((await api<FarmStatus>('farmStatus', {})).enabled).toBe(false)
    await closeDialog()
    expect(session.pageErrors).toEqual([])
  }, 120_000)

  it('refuses a farm that does not answer with the core message; the chip stays on this machine', async () => {
    const dead = await freePort()
    await openAlbumTab(page, server.url, album.id, 'runs')
    await page.waitForSelector(`${tid('farm-chip')}[data-mode="local"]`)
    await openDialog()
    await page.fill(tid('farm-url'), `redis://:${PASSWORD}@127.0.0.1:${dead}`)
    await page.click(tid('farm-enable'))
    const error = page.locator(tid('farm-error'))
    await error.waitFor({ timeout: 30_000 })
    const message = (await error.textContent()) ?? ''
    expect(message).toContain('farm mode stays off')
    expect(message).toContain(`127.0.0.1:${dead}`)
    expect(message).not.toContain(PASSWORD)
    expect(await chipText()).toBe('Runs on this machine')
    expect(await page.locator(tid('farm-chip')).getAttribute('data-mode')).toBe('local')
    expect(await page.locator(tid('farm-url')).inputValue()).toBe('')
    await page.screenshot({ path: join(RESULTS, 'farm-refused.png') })
    await expectNoPassword()
    expect((await api<FarmStatus>('farmStatus', {})).enabled).toBe(false)

    // Reopened, the failed check is what the dialog reports.
    await closeDialog()
    await openDialog()
    expect(await page.locator(tid('farm-check')).getAttribute('data-ok')).toBe('false')
    await closeDialog()
    expect(session.pageErrors).toEqual([])
  }, 120_000)
})
