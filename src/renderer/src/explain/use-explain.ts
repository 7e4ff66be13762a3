/**
 * The compare view's hook for the Explain panel: a click (not a pan) on a SegSort run's pane opens the
 * panel for the image pixel under the pointer. The view keeps one of these and binds its two handlers on
 * run panes; everything else lives here.
 */
import { ref, type Ref } from 'vue'
import type { SharedView } from '../compare/sync-view'
import { imagePoint, isClick } from './explain-click'

export interface ExplainTarget {
  runId: number
  imageId: number
  imageName: string
  x: number
  y: number
}

export interface PaneInfo {
  runId: number
  method: string | undefined
  imageId: number
  imageName: string
  imageW: number
  imageH: number
}

export function useExplain(view: Ref<SharedView>, paneW: number, paneH: number) {
  const target = ref<ExplainTarget | null>(null)
  let down: { x: number; y: number } | null = null

  function onPaneDown(e: PointerEvent): void {
    down = { x: e.clientX, y: e.clientY }
  }

  function onPaneClick(e: MouseEvent, pane: PaneInfo): void {
    const wasClick = isClick(down, { x: e.clientX, y: e.clientY })
    down = null
    if (!wasClick || pane.method !== 'segsort') return
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect()
    const p = imagePoint(
      e.clientX - r.left,
      e.clientY - r.top,
      view.value,
      pane.imageW,
      pane.imageH,
      paneW,
      paneH,
    )
    if (p)
      target.value = { runId: pane.runId, imageId: pane.imageId, imageName: pane.imageName, x: p.x, y: p.y }
  }

  return { target, onPaneDown, onPaneClick, close: () => (target.value = null) }
}
