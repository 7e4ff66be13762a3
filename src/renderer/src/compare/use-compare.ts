/**
 * The compare view's state and loading: the run columns (reorderable; the first is the subject the rows
 * are ordered by), the baseline, variant columns, the row order and page, the rows of the page (built by
 * compare-rows.ts) and every shown column's per-image FIoU. A newer reload makes an older one drop its
 * result (generation counter), so fast clicking never shows a stale page.
 */
import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import type { InsightOrder } from '../../../shared/insight'
import type { RunSummary } from '../../../shared/runs'
import { comparabilityLabel } from '../../../shared/comparability-label'
import { variantPredictionRef, variantTitle, type VariantInfo } from '../../../shared/variants'
import { studio } from '../api-client'
import { runLabel, useInsightStore } from '../clusters/insight-store'
import { useToastStore } from '../stores/toasts'
import {
  buildCompareRow,
  paneLayers,
  type CompareMode,
  type CompareRow,
  type PaneLayers,
} from './compare-rows'

export const ROWS_PER_PAGE = 4

export function variantKey(v: Pick<VariantInfo, 'runId' | 'variant'>): string {
  return `${v.runId}/${v.variant}`
}

/** Return type inferred: a bag of refs and functions the view binds to. */
export function useCompare(albumId: Ref<number>) {
  const insight = useInsightStore()
  const toasts = useToastStore()

  const columns = ref<number[]>([])
  const baseRunId = ref<number | null>(null)
  const mode = ref<CompareMode>('mask')
  const order = ref<InsightOrder>('gain-desc')
  const offset = ref(0)
  const total = ref(0)
  const state = ref<'loading' | 'ready' | 'empty'>('loading')
  /** Variant columns after the run columns, by key `<runId>/<variant>`; the album's done variants. */
  const variantCols = ref<string[]>([])
  const variants = shallowRef<VariantInfo[]>([])
  const variantByKey = computed(() => new Map(variants.value.map((v) => [variantKey(v), v])))
  const rows = shallowRef<CompareRow[]>([])
  /** Per-image FIoU of every chosen run: runId → imageId → fiou. */
  const metrics = shallowRef(new Map<number, Map<number, number>>())

  const runById = computed(() => new Map(insight.scored.map((r) => [r.id, r])))
  const subject = computed(() => columns.value[0] ?? null)
  const canGain = computed(
    () => baseRunId.value !== null && subject.value !== null && baseRunId.value !== subject.value,
  )
  const orders = computed<InsightOrder[]>(() =>
    canGain.value
      ? ['gain-desc', 'gain-asc', 'fiou-asc', 'fiou-desc', 'name']
      : ['fiou-asc', 'fiou-desc', 'name'],
  )
  const incomparable = computed(() => {
    const runs = [...columns.value, ...(baseRunId.value !== null ? [baseRunId.value] : [])]
      .map((id) => runById.value.get(id))
      .filter((r): r is RunSummary => !!r)
    // "different splits" only when the splits differ; other mask versions on one split say so instead.
    return comparabilityLabel(runs)
  })

  async function init(): Promise<void> {
    state.value = 'loading'
    await insight.load(albumId.value)
    variantCols.value = []
    try {
      variants.value = (await studio().api.listVariants({ albumId: albumId.value })).filter(
        (v) => v.status === 'done',
      )
    } catch (err) {
      variants.value = []
      toasts.error(err, 'Cannot list the prediction variants')
    }
    const scored = insight.scored
    // Default: the baseline is the oldest run, the columns the newest three (the baseline among them).
    columns.value = scored.slice(-3).map((r) => r.id)
    baseRunId.value = scored[0]?.id ?? null
    if (columns.value.length > 1 && columns.value[0] === baseRunId.value)
      columns.value = [...columns.value.slice(1), baseRunId.value]
    if (!canGain.value) order.value = 'fiou-asc'
    offset.value = 0
    await reload()
  }

  let generation = 0
  async function reload(): Promise<void> {
    const gen = ++generation
    const runId = subject.value
    if (runId === null) {
      rows.value = []
      state.value = 'empty'
      return
    }
    state.value = 'loading'
    try {
      const wanted = [...new Set([...columns.value, ...(baseRunId.value !== null ? [baseRunId.value] : [])])]
      const [page, ...lists] = await Promise.all([
        studio().api.insightImages({
          albumId: albumId.value,
          runId,
          ...(canGain.value ? { baseRunId: baseRunId.value! } : {}),
          only: 'scored',
          order: order.value,
          offset: offset.value,
          limit: ROWS_PER_PAGE,
        }),
        ...wanted.map((id) => studio().api.runImageMetrics({ runId: id })),
      ])
      if (gen !== generation) return
      metrics.value = new Map(wanted.map((id, i) => [id, new Map(lists[i]!.map((m) => [m.imageId, m.fiou]))]))
      total.value = page.total
      const keys = variantCols.value.slice()
      const built = await Promise.all(
        page.items.map((image) =>
          buildCompareRow(
            image,
            {
              photo: studio().mediaUrl(image.media.image),
              gt: image.media.mask ? studio().mediaUrl(image.media.mask) : null,
              runs: new Map(wanted.map((id) => [id, studio().mediaUrl(`pred/${id}/${image.id}`)])),
              variants: new Map(
                keys.flatMap((k) => {
                  const v = variantByKey.value.get(k)
                  return v
                    ? [
                        [
                          k,
                          studio().mediaUrl(variantPredictionRef.label(v.runId, v.variant, image.id)),
                        ] as const,
                      ]
                    : []
                }),
              ),
            },
            baseRunId.value,
          ),
        ),
      )
      if (gen !== generation) return
      rows.value = built
      state.value = built.length ? 'ready' : 'empty'
    } catch (err) {
      if (gen === generation) {
        toasts.error(err, 'Cannot load the comparison')
        state.value = 'empty'
      }
    }
  }

  watch(albumId, init, { immediate: true })
  watch([columns, variantCols, baseRunId, order, offset], () => void reload(), { deep: true })
  watch(canGain, (g) => {
    if (!g && (order.value === 'gain-desc' || order.value === 'gain-asc')) order.value = 'fiou-asc'
  })

  function move(i: number, d: -1 | 1): void {
    const j = i + d
    if (j < 0 || j >= columns.value.length) return
    const next = columns.value.slice()
    ;[next[i], next[j]] = [next[j]!, next[i]!]
    columns.value = next
  }
  function removeColumn(i: number): void {
    columns.value = columns.value.filter((_, k) => k !== i)
  }
  function removeVariantColumn(i: number): void {
    variantCols.value = variantCols.value.filter((_, k) => k !== i)
  }
  /** Adds the choice of the "+ add run" picker: a run id, or `v:<runId>/<variant>` for a variant. */
  function addColumn(choice: string): void {
    if (choice.startsWith('v:')) {
      const k = choice.slice(2)
      if (variantByKey.value.has(k) && !variantCols.value.includes(k))
        variantCols.value = [...variantCols.value, k]
      return
    }
    const id = Number(choice)
    if (id && !columns.value.includes(id)) columns.value = [...columns.value, id]
  }

  function layerOf(row: CompareRow, runId: number): PaneLayers {
    return paneLayers(row, row.runs.get(runId), mode.value)
  }
  function variantLayerOf(row: CompareRow, key: string): PaneLayers {
    return paneLayers(row, row.variants.get(key), mode.value)
  }
  function fiouOf(runId: number, imageId: number): number | null {
    return metrics.value.get(runId)?.get(imageId) ?? null
  }
  /** Per-image FIoU of a variant column (stored with the variant). */
  const variantFiou = computed(
    () =>
      new Map(
        variants.value.map((v) => [variantKey(v), new Map(v.perImage.map((m) => [m.imageId, m.fiou]))]),
      ),
  )
  function variantFiouOf(key: string, imageId: number): number | null {
    return variantFiou.value.get(key)?.get(imageId) ?? null
  }
  function variantColumnTitle(key: string): string {
    const v = variantByKey.value.get(key)
    return v ? variantTitle(runTitle(v.runId), v.variant) : key
  }
  function runTitle(id: number): string {
    const r = runById.value.get(id)
    return r ? runLabel(r) : `run id ${id}`
  }

  return {
    columns,
    baseRunId,
    mode,
    order,
    offset,
    total,
    state,
    variantCols,
    variants,
    rows,
    runById,
    subject,
    canGain,
    orders,
    incomparable,
    move,
    removeColumn,
    removeVariantColumn,
    addColumn,
    layerOf,
    variantLayerOf,
    fiouOf,
    variantFiouOf,
    variantColumnTitle,
    runTitle,
  }
}
