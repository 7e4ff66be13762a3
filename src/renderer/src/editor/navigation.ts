/**
 * Which image D/A open next in the editor. Three orders:
 *   - 'split': the annotation queue (the active split's validation images, by name), wrapping around;
 *   - 'unannotated': D goes to the first image not yet done (not started or in progress), A as 'split';
 *   - 'queued': the images queued from the embedding map or the cluster view (their queue order), skipping
 *     those already done or reviewed; D from an image outside that queue opens its first one. When the
 *     queue has nothing left in that direction, D/A fall back to the split order.
 * Pure: no DOM, no store.
 */
import type { AnnotationStatus, QueueItem } from '../../../shared/annotation'

export const NAV_ORDERS = ['split', 'unannotated', 'queued'] as const
export type NavOrder = (typeof NAV_ORDERS)[number]

export const NAV_ORDER_LABELS: Record<NavOrder, string> = {
  split: 'Split order',
  unannotated: 'Unannotated first',
  queued: 'Queued first',
}

const finished = (s: AnnotationStatus | undefined): boolean => s === 'done' || s === 'reviewed'

export interface NavInput {
  items: readonly Pick<QueueItem, 'imageId' | 'status'>[]
  /** Image ids queued for annotation (the embedding map's lasso), in queue order. */
  queued: readonly number[]
  current: number
  delta: 1 | -1
  order: NavOrder
}

function splitStep(items: NavInput['items'], current: number, delta: 1 | -1): number | undefined {
  if (items.length === 0) return undefined
  const i = items.findIndex((it) => it.imageId === current)
  return items[i < 0 ? 0 : (i + delta + items.length) % items.length]?.imageId
}

/** The image to open, or undefined when there is none other than the current one. */
export function nextImage(a: NavInput): number | undefined {
  let next: number | undefined
  switch (a.order) {
    case 'split':
      break
    case 'unannotated':
      if (a.delta > 0) next = a.items.find((i) => i.imageId !== a.current && !finished(i.status))?.imageId
      break
    case 'queued': {
      const status = new Map(a.items.map((i) => [i.imageId, i.status]))
      const open = (id: number): boolean => id !== a.current && !finished(status.get(id))
      const k = a.queued.indexOf(a.current)
      if (a.delta > 0) next = a.queued.slice(k + 1).find(open)
      else if (k > 0) next = [...a.queued.slice(0, k)].reverse().find(open)
      break
    }
    default: {
      const never: never = a.order
      throw new Error(`unknown order ${String(never)}`)
    }
  }
  next ??= splitStep(a.items, a.current, a.delta)
  return next === a.current ? undefined : next
}
