/**
 * The annotation editor's test hook (`globalThis.__pssAnnotator`, installed by AnnotateView) as the e2e
 * tests read it: the page's label bitmap, image pixels → screen points, and the view's state attributes.
 */
import type { Page } from 'playwright-core'
import { tid } from './browser-session'

export interface AnnotatorHook {
  /** The label bitmap, base64. */
  labels(): string
  size(): { width: number; height: number }
  view(): { scale: number; x: number; y: number }
  handPixels(): number
  /** Runs the editor's 20-second autosave tick now. */
  autosaveNow(): void
}

/** The page's label bitmap, one index per pixel. */
export async function annotatorLabels(page: Page): Promise<Uint8Array> {
  const b64 = await page.evaluate(() =>
    (globalThis as unknown as { __pssAnnotator: AnnotatorHook }).__pssAnnotator.labels(),
  )
  return new Uint8Array(Buffer.from(b64, 'base64'))
}

/** Screen point of an image pixel's centre. */
export async function annotatorPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const v = await page.evaluate(() =>
    (globalThis as unknown as { __pssAnnotator: AnnotatorHook }).__pssAnnotator.view(),
  )
  const box = (await page.locator(tid('annotate-canvas')).boundingBox())!
  return { x: box.x + v.x + (x + 0.5) * v.scale, y: box.y + v.y + (y + 0.5) * v.scale }
}

/** An attribute of the editor's root element (data-state, data-dirty, …). */
export function annotateAttr(page: Page, name: string): Promise<string | null> {
  return page.locator(tid('annotate-view')).getAttribute(name)
}
