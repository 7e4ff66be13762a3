/**
 * The Chromium side every browser-mode e2e test needs: launch Debian's Chromium, one context with
 * tracing, a page that records its uncaught errors, the studio's HTTP API with the session token, and on
 * a failed test a screenshot + trace + the server's output under test-results/.
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { RunDetail } from '../../../src/shared/runs'
import type { Served } from './serve'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Screenshots go to docs/screenshots with PSS_UPDATE_SCREENSHOTS=1, else to test-results/. */
export function screenshotsDir(): string {
  const dir = resolve(
    process.env.PSS_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots',
  )
  mkdirSync(dir, { recursive: true })
  return dir
}

/** `[data-testid="…"]` */
export const tid = (id: string): string => `[data-testid="${id}"]`

/** Calls the studio's HTTP API with the session token, as the page's own client does. */
export async function callApi<T>(server: Served, method: string, args: unknown): Promise<T> {
  const url = new URL(server.url)
  const token = url.searchParams.get('token') ?? ''
  const res = await fetch(`${url.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pss-token': token },
    body: JSON.stringify(args),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  // A method may return nothing: `result` is then absent from the body, not an error.
  if (!res.ok || body.error) throw new Error(`${method}: ${body.error?.message ?? res.status}`)
  return body.result as T
}

/** Polls `getRun` until the run leaves queued/running; throws unless it ended done (or after `timeoutMs`). */
export async function runToEnd(server: Served, runId: number, timeoutMs: number): Promise<RunDetail> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const run = await callApi<RunDetail>(server, 'getRun', { runId })
    if (run.status !== 'queued' && run.status !== 'running') {
      if (run.status !== 'done') throw new Error(`run ${run.id} ended ${run.status}: ${run.error}`)
      return run
    }
    if (Date.now() > end) throw new Error('the run did not finish')
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** Opens the studio at `url`, waits for the project, and opens the album's tab (e.g. 'runs'). */
export async function openAlbumTab(page: Page, url: string, albumId: number, tab: string): Promise<void> {
  await page.goto(url)
  await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
  await page.click(tid(`album-${albumId}`))
  await page.click(tid(`tab-${tab}`))
}

export interface BrowserSession {
  browser: Browser
  context: BrowserContext
  page: Page
  /** Uncaught errors of the page, in order. */
  pageErrors: string[]
  /** For vitest's afterEach: on a failed test, keeps a screenshot, the trace and the server output. */
  recordFailure(task: { name: string; result?: { state?: string } }, server?: Served): Promise<void>
  close(): Promise<void>
}

export interface BrowserSessionOptions {
  /** Where failure artefacts go (created). */
  resultsDir: string
  /** Grant clipboard access for this origin (tests of "Copy as …"). */
  clipboardOrigin?: string
  acceptDownloads?: boolean
  viewport?: { width: number; height: number }
}

export async function openBrowser(opts: BrowserSessionOptions): Promise<BrowserSession> {
  mkdirSync(opts.resultsDir, { recursive: true })
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  })
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    acceptDownloads: opts.acceptDownloads ?? false,
  })
  if (opts.clipboardOrigin) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: opts.clipboardOrigin })
  }
  await context.tracing.start({ screenshots: true, snapshots: true })
  const page = await context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (err) => pageErrors.push(err.message))
  return {
    browser,
    context,
    page,
    pageErrors,
    async recordFailure(task, server) {
      if (task.result?.state !== 'fail') return
      const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
      await page.screenshot({ path: join(opts.resultsDir, `${name}.png`) }).catch(() => {})
      await context.tracing.stop({ path: join(opts.resultsDir, `${name}-trace.zip`) }).catch(() => {})
      await context.tracing.start({ screenshots: true, snapshots: true }).catch(() => {})
      if (server) console.error(`server output:\n${server.output()}`)
    },
    async close() {
      await context.tracing.stop().catch(() => {})
      await browser.close()
    },
  }
}
