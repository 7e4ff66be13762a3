/**
 * The thumbnail grid's data: a sparse, paged cache of one album's (or source's) images under the
 * current filter/sort/search. Pages of PAGE_SIZE are fetched as rows come into view; items are kept raw
 * (not deeply reactive) so 10,000 records cost nothing until shown.
 */
import { defineStore } from 'pinia'
import { markRaw, ref, shallowReactive } from 'vue'
import type { ImageRecord } from '../../../shared/api'
import type { InsightOnly, InsightOrder } from '../../../shared/insight'
import { studio } from '../api-client'
import { pagesForRange } from '../grid/virtual-range'
import { sameTarget, type LibraryTarget } from '../nav/route'
import { coalesce } from '../util/coalesce'
import { useToastStore } from './toasts'

export const PAGE_SIZE = 200

export type GridFilter = 'all' | 'masked' | 'unmasked' | 'validation' | 'train'
export type GridSort = 'name' | 'imported' | 'cluster'

/**
 * Insight view of an album grid (issue 6): a cluster, a selection from the embedding map, per-image FIoU
 * of a run and gain over a baseline run, metric orders. When set, pages come from `insightImages`.
 */
export interface GridInsight {
  /** A cluster of the newest clustering (−1: unclustered). */
  cluster?: number
  /** A selection (lasso on the embedding map) and how to name it. */
  ids?: number[]
  idsLabel?: string
  runId?: number
  baseRunId?: number
  order: InsightOrder
  only: InsightOnly
}

/**
 * Content filters of the grid (both the plain and the insight pages apply them): a class present in the
 * ground truth (no runId) or in a run's prediction, and a range of a run's per-image FIoU (fractions).
 */
export interface GridContentFilter {
  hasClass?: { classId: number; runId?: number }
  fiou?: { runId: number; min: number; max: number }
}

export const useGridStore = defineStore('grid', () => {
  const target = ref<LibraryTarget | null>(null)
  const filter = ref<GridFilter>('all')
  const sort = ref<GridSort>('name')
  const search = ref('')
  const insight = ref<GridInsight | null>(null)
  const content = ref<GridContentFilter>({})
  /** Items matching the query; null until the first page answers. */
  const total = ref<number | null>(null)
  const pages = shallowReactive(new Map<number, readonly ImageRecord[]>())
  const pending = new Set<number>()
  /** Bumped on every query change: answers for an older query are dropped. */
  let generation = 0
  /** The range the grid last showed, so a refresh refetches what the user is looking at. */
  let lastRange: [number, number] = [0, PAGE_SIZE]

  function reset(): void {
    generation++
    pages.clear()
    pending.clear()
    total.value = null
  }

  function setTarget(t: LibraryTarget | null): void {
    if (sameTarget(t, target.value)) return
    target.value = t
    search.value = ''
    filter.value = 'all'
    insight.value = null
    content.value = {}
    reset()
    if (t) void fetchPage(0)
  }

  function setQuery(q: { filter?: GridFilter; sort?: GridSort; search?: string }): void {
    if (q.filter !== undefined) filter.value = q.filter
    if (q.sort !== undefined) sort.value = q.sort
    if (q.search !== undefined) search.value = q.search
    reset()
    if (target.value) void fetchPage(0)
  }

  /** Sets the class / score filters ({} clears them). */
  function setContent(q: GridContentFilter): void {
    content.value = q
    reset()
    if (target.value) void fetchPage(0)
  }

  /** Sets (or clears, with null) the insight view of an album grid. */
  function setInsight(q: GridInsight | null): void {
    insight.value = q
    reset()
    if (target.value) void fetchPage(0)
  }

  async function fetchPage(page: number, force = false): Promise<void> {
    const t = target.value
    if (!t || pending.has(page) || (!force && pages.has(page))) return
    const gen = generation
    pending.add(page)
    try {
      const q = search.value.trim()
      const ins = insight.value
      const res =
        ins && t.kind === 'album'
          ? await studio().api.insightImages({
              albumId: t.id,
              offset: page * PAGE_SIZE,
              limit: PAGE_SIZE,
              filter: filter.value,
              order: ins.order === 'name' && sort.value === 'cluster' ? 'cluster' : ins.order,
              only: ins.only,
              ...(ins.cluster !== undefined ? { cluster: ins.cluster } : {}),
              ...(ins.ids !== undefined ? { ids: ins.ids } : {}),
              ...(ins.runId !== undefined ? { runId: ins.runId } : {}),
              ...(ins.baseRunId !== undefined ? { baseRunId: ins.baseRunId } : {}),
              ...(q ? { search: q } : {}),
              ...content.value,
            })
          : await studio().api.listImages({
              ...(t.kind === 'album' ? { albumId: t.id } : { sourceId: t.id }),
              offset: page * PAGE_SIZE,
              limit: PAGE_SIZE,
              filter: filter.value,
              sort: sort.value,
              ...(q ? { search: q } : {}),
              ...content.value,
            })
      if (gen !== generation) return
      pages.set(page, markRaw(res.items.map((i) => markRaw(i))))
      total.value = res.total
    } catch (err) {
      if (gen === generation) useToastStore().error(err, 'Cannot load images')
    } finally {
      if (gen === generation) pending.delete(page)
    }
  }

  /** Fetches whatever pages cover items [start, end). */
  function ensureRange(start: number, end: number): void {
    lastRange = [start, end]
    for (const p of pagesForRange(start, end, PAGE_SIZE)) void fetchPage(p)
  }

  function itemAt(index: number): ImageRecord | undefined {
    return pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]
  }

  /** Position of an image among the loaded pages; -1 when not loaded. */
  function indexOf(imageId: number): number {
    for (const [p, items] of pages) {
      const i = items.findIndex((it) => it.id === imageId)
      if (i >= 0) return p * PAGE_SIZE + i
    }
    return -1
  }

  /** The item at `index`, loading its page if needed. */
  async function loadAt(index: number): Promise<ImageRecord | undefined> {
    if (index < 0 || (total.value !== null && index >= total.value)) return undefined
    await fetchPage(Math.floor(index / PAGE_SIZE))
    return itemAt(index)
  }

  /**
   * After the library changed (import progress, new masks): refetch the visible pages in place and drop
   * the rest, so the grid updates without flashing empty.
   */
  async function refresh(): Promise<void> {
    if (!target.value) return
    generation++
    pending.clear()
    const visible = new Set(pagesForRange(lastRange[0], Math.max(lastRange[1], lastRange[0] + 1), PAGE_SIZE))
    if (visible.size === 0) visible.add(0)
    for (const p of [...pages.keys()]) if (!visible.has(p)) pages.delete(p)
    await Promise.all([...visible].map((p) => fetchPage(p, true)))
  }

  const refresher = coalesce(refresh, 500)

  /** A library event: refresh when it concerns what the grid shows (or names nothing in particular). */
  function onLibraryChanged(e: { albumId?: number; sourceId?: number }): void {
    const t = target.value
    if (!t) return
    const about =
      e.albumId !== undefined
        ? { kind: 'album' as const, id: e.albumId }
        : e.sourceId !== undefined
          ? { kind: 'source' as const, id: e.sourceId }
          : null
    if (about === null || sameTarget(about, t)) refresher.request()
  }

  return {
    target,
    filter,
    sort,
    search,
    insight,
    setInsight,
    content,
    setContent,
    total,
    pages,
    setTarget,
    setQuery,
    ensureRange,
    itemAt,
    indexOf,
    loadAt,
    refresh,
    onLibraryChanged,
  }
})
