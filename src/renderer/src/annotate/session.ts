/**
 * One image's annotation session: loads the image, its mask versions, the album's validation queue and
 * the mask proposals; saves the labels as versions (explicit Save, autosave, on leaving), follows undo
 * back to stored versions, restores by id, and guards validation ground truth against machine edits.
 * The panels read and call it through `useAnnotate()` (context.ts); the canvas is `editor` (mounted by the view).
 * Over 400 lines because saving, autosave, undo-to-version, restore and the ground-truth lock all read and
 * change the same version state, and splitting them would spread one invariant over several files.
 */
import { computed, reactive, shallowRef, watch } from 'vue'
import type {
  AnnotationQueue,
  AnnotationStatus,
  MaskProposalSource,
  MaskVersion,
} from '../../../shared/annotation'
import { mediaRef, type ImageDetail } from '../../../shared/domain'
import { describeOrigin, originKindOf, type OriginKind } from '../../../shared/mask-origin'
import { studio } from '../api-client'
import { fetchLabels } from '../editor/load-labels'
import type { MaskEditor } from '../editor/mask-editor'
import { NAV_ORDERS, nextImage, type NavOrder } from '../editor/navigation'
import { encodePalettePng, toBase64 } from '../editor/png-encode'
import { SuperpixelCache } from '../editor/superpixels'
import { useAnnotationQueueStore } from '../embedding/annotation-queue'
import { useNavStore } from '../stores/nav'
import { useToastStore } from '../stores/toasts'
import { createEditorState, pushSettings } from './editor-state'
import { createProposalControls } from './session-proposals'
import { createClickMaskControls } from './session-click-mask'

export const HELD_MSG =
  'This edit puts proposal pixels over ground truth: Save (Ctrl+S) stores it, Undo takes it back.'
const NAV_ORDER_KEY = 'pss.editor.navOrder'

export type AnnotateSession = ReturnType<typeof createAnnotateSession>

export function createAnnotateSession(props: { readonly imageId: number; readonly albumId: number }) {
  const nav = useNavStore()
  const toasts = useToastStore()
  const queuedStore = useAnnotationQueueStore()
  const editorState = createEditorState()
  const settings = editorState.settings
  const editor = shallowRef<MaskEditor | null>(null)
  const savedOrder = typeof localStorage === 'undefined' ? null : localStorage.getItem(NAV_ORDER_KEY)
  const s = reactive({
    detail: null as ImageDetail | null,
    queue: null as AnnotationQueue | null,
    versions: [] as MaskVersion[],
    baseVersion: null as number | null,
    status: 'not_started' as AnnotationStatus,
    state: 'loading' as 'loading' | 'ready' | 'saving' | 'error',
    error: null as string | null,
    navOrder: ((NAV_ORDERS as readonly string[]).includes(savedOrder ?? '')
      ? savedOrder
      : 'split') as NavOrder,
    proposals: [] as MaskProposalSource[],
    proposalKey: null as string | null,
    proposalState: 'none' as 'none' | 'loading' | 'ready' | 'error',
    proposalClasses: [] as number[],
    lastHandPixels: null as number | null,
    /** Set by confirming the ground-truth unlock; reset when another image loads. */
    unlocked: false,
    /** Set by an explicit Save of machine pixels over the ground truth: later autosaves may follow. */
    gtConsent: false,
    /** True while an implicit save was refused because the edit holds machine pixels over ground truth. */
    held: false,
  })
  watch(
    () => s.navOrder,
    (o) => localStorage.setItem(NAV_ORDER_KEY, o),
  )
  let superpixels: SuperpixelCache | null = null
  /** Stored version of each saved editor state (History.stateId → version): undo back to one restores it. */
  const savePoints = new Map<number, number>()

  // A validation image whose mask has a human version is ground truth: machine edits (a proposal, "Start
  // from this") need an explicit unlock, and a machine edit on it is never autosaved — only Save stores it.
  const isValidation = computed(() => s.queue?.items.some((i) => i.imageId === props.imageId) ?? false)
  const groundTruth = computed(() => isValidation.value && s.versions.some((v) => v.author === 'human'))
  const locked = computed(() => groundTruth.value && !s.unlocked)
  const queuedIds = computed(() => queuedStore.idsFor(props.albumId))
  const derived = reactive({
    groundTruth,
    locked,
    split: computed(() => s.queue?.split ?? null),
    position: computed(() => s.queue?.items.findIndex((i) => i.imageId === props.imageId) ?? -1),
    doneCount: computed(
      () => s.queue?.items.filter((i) => i.status === 'done' || i.status === 'reviewed').length ?? 0,
    ),
    queuedIds,
    queuedLeft: computed(() => {
      const status = new Map((s.queue?.items ?? []).map((i) => [i.imageId, i.status]))
      return queuedIds.value.filter((id) => !['done', 'reviewed'].includes(status.get(id) ?? '')).length
    }),
    selectedProposal: computed(() => s.proposals.find((p) => p.key === s.proposalKey) ?? null),
  })

  /** Asks before the first machine edit on a locked mask; true when the edit may go ahead. */
  function confirmMachineEdit(): boolean {
    if (!locked.value) return true
    const ok = window.confirm(
      `${s.detail?.name ?? 'This image'} is a validation image with a human ground-truth mask (v${s.baseVersion ?? '?'}). ` +
        'Unlock it for machine edits? Proposal pixels are never autosaved over it: only Save (Ctrl+S) stores them.',
    )
    if (ok) s.unlocked = true
    return ok
  }

  const clickMask = createClickMaskControls({
    imageId: () => s.detail?.id ?? null,
    settings,
    confirmMachineEdit,
    toasts,
  })

  // ---------- loading ----------

  let token = 0
  async function load(id: number): Promise<void> {
    const t = ++token
    s.state = 'loading'
    s.error = null
    try {
      const [d, q, v, props_] = await Promise.all([
        studio().api.getImage({ imageId: id }),
        studio().api.annotationQueue({ albumId: props.albumId }),
        studio().api.listMaskVersions({ imageId: id }),
        // Proposals are optional: the editor works without them.
        studio()
          .api.maskProposals({ imageId: id })
          .catch((e: unknown) => {
            toasts.error(e, 'Cannot list the mask proposals')
            return [] as MaskProposalSource[]
          }),
      ])
      if (t !== token) return
      Object.assign(s, {
        proposals: props_,
        proposalKey: null,
        proposalState: 'none',
        proposalClasses: [],
        detail: d,
        queue: q,
        versions: v,
        baseVersion: d.maskVersion,
        unlocked: false,
        gtConsent: false,
      })
      // Accept must be picked again on every image (through the unlock where the mask is ground truth).
      if (settings.tool === 'prediction' || settings.tool === 'reject') settings.tool = 'brush'
      // So must the click mask where this image's mask is locked ground truth.
      clickMask.reset()
      if (settings.tool === 'clickMask' && locked.value) settings.tool = 'brush'
      s.held = false
      savePoints.clear()
      // the loaded state (History.stateId 0) is the stored version it was loaded from
      if (d.maskVersion !== null) savePoints.set(0, d.maskVersion)
      s.status =
        q.items.find((i) => i.imageId === id)?.status ?? (d.maskVersion !== null ? 'done' : 'not_started')
      const img = new Image()
      img.src = studio().mediaUrl(d.media.image)
      const [labels] = await Promise.all([
        d.maskVersion !== null
          ? fetchLabels(studio().mediaUrl(mediaRef.mask(d.id, d.maskVersion)), d.width, d.height)
          : Promise.resolve(null),
        img.decode(),
      ])
      if (t !== token || !editor.value) return
      superpixels?.dispose()
      editor.value.load(img, d.width, d.height, labels)
      superpixels = new SuperpixelCache(() => editor.value?.photoData() ?? null, d.width, d.height)
      pushSettings(editor.value, settings)
      s.state = 'ready'
    } catch (e) {
      if (t !== token) return
      s.state = 'error'
      s.error = toasts.error(e, 'Cannot open the image for annotation').message
    }
  }

  const { chooseProposal, startFromProposal, pickAccept } = createProposalControls({
    s,
    settings,
    editor,
    locked,
    confirmMachineEdit,
    toasts,
  })

  /** What a saved version records about how it came about: hand / machine / mixed and the proposals. */
  function saveOrigin(
    ed: MaskEditor,
    handPixels: number,
    machinePixels: number,
  ): { origin: string; originKind: OriginKind } {
    const originKind = originKindOf(handPixels, machinePixels)
    const names =
      originKind === 'hand'
        ? []
        : [...ed.acceptedFrom].map((k) => s.proposals.find((p) => p.key === k)?.label ?? k)
    return { origin: describeOrigin(originKind, names), originKind }
  }

  // ---------- saving ----------

  let saving: Promise<boolean> | null = null
  /** Runs one store request at a time, with the view in 'saving' meanwhile. */
  async function exclusive(work: () => Promise<boolean>): Promise<boolean> {
    saving = (async () => {
      s.state = 'saving'
      try {
        return await work()
      } finally {
        s.state = 'ready'
      }
    })()
    const ok = await saving
    saving = null
    return ok
  }

  /**
   * Stores the labels as a new version. `explicit` is the curator's Save (button, Ctrl+S); autosave,
   * D/A, leaving and status changes are implicit and refuse (held) an edit that puts machine pixels over
   * ground truth the curator has not yet saved on purpose.
   */
  async function save(nextStatus?: AnnotationStatus, explicit = false): Promise<boolean> {
    if (saving) await saving
    const ed = editor.value
    const d = s.detail
    if (!ed || !d || s.state !== 'ready') return false
    if (!ed.isDirty && nextStatus === undefined) return true
    // Mid-stroke the labels hold half an edit: a version of them would match no undo step (autosave retries).
    if (ed.gestureActive) return false
    if (groundTruth.value && !s.gtConsent && ed.machinePixels() > 0) {
      if (!explicit) {
        s.held = true
        return false
      }
      s.gtConsent = true
    }
    s.held = false
    return exclusive(async () => {
      try {
        // the state, its counts and its scanlines are all read before the first await (one snapshot)
        const sid = ed.history.stateId
        const handPixels = ed.handPixels()
        const { origin, originKind } = saveOrigin(ed, handPixels, ed.machinePixels())
        const png = await encodePalettePng(ed.map)
        const st = nextStatus ?? (s.status === 'not_started' ? 'in_progress' : s.status)
        const r = await studio().api.saveMask({
          imageId: d.id,
          pngBase64: toBase64(png),
          baseVersion: s.baseVersion,
          status: st,
          handPixels,
          origin,
          originKind,
        })
        Object.assign(s, {
          baseVersion: r.version,
          versions: r.versions,
          status: r.status,
          lastHandPixels: handPixels,
        })
        savePoints.set(sid, r.version)
        // an edit made while the request ran is not in this version: it stays dirty for the next save
        if (ed.history.stateId === sid) ed.markSaved()
        const item = s.queue?.items.find((i) => i.imageId === d.id)
        if (item) Object.assign(item, { status: r.status, maskVersion: r.version })
        settleQueued(d.id, r.status)
        return true
      } catch (e) {
        toasts.error(e, 'The mask was not saved')
        return false
      }
    })
  }

  async function setStatus(st: AnnotationStatus): Promise<void> {
    if (editor.value?.isDirty) {
      if (!(await save(st)) && s.held) toasts.push('info', 'Status not changed', HELD_MSG)
      return
    }
    try {
      const r = await studio().api.setAnnotationStatus({ imageId: props.imageId, status: st })
      s.status = r.status
      const item = s.queue?.items.find((i) => i.imageId === props.imageId)
      if (item) item.status = r.status
      settleQueued(props.imageId, r.status)
    } catch (e) {
      toasts.error(e, 'Cannot change the status')
    }
  }

  /**
   * Restores a version by its number (never by its place in the list, which a save can shift), after a
   * confirmation that names it; the restored copy is stored as a new version, the current one stays.
   */
  async function restore(v: number): Promise<void> {
    const target = s.versions.find((x) => x.version === v)
    if (!target) return
    const unsaved = editor.value?.isDirty ? ' Unsaved edits on the canvas are dropped.' : ''
    const ok = window.confirm(
      `Restore v${target.version} (${target.author}, ${target.origin}, ${new Date(target.createdAt).toLocaleString()})? It is stored as a new version; v${s.baseVersion ?? '?'} stays in the history.${unsaved}`,
    )
    if (!ok) return
    try {
      await studio().api.restoreMaskVersion({
        imageId: props.imageId,
        version: target.version,
        baseVersion: s.baseVersion,
      })
      await load(props.imageId)
    } catch (e) {
      toasts.error(e, 'Cannot restore that version')
    }
  }

  function undo(): void {
    editor.value?.undo()
    void followHistory()
  }

  function redo(): void {
    editor.value?.redo()
    void followHistory()
  }

  /**
   * After an undo or redo: when the canvas is back at a state that was saved as a version, that version
   * becomes the stored one again (restored by id as a new version), so an undo after an autosave undoes
   * the stored mask too and no later autosave stores what the curator took back.
   */
  async function followHistory(): Promise<void> {
    const ed = editor.value
    const d = s.detail
    if (!ed || !d) return
    const sid = ed.history.stateId
    const v = savePoints.get(sid)
    if (v === undefined) return
    if (saving) await saving
    if (ed.history.stateId !== sid || s.detail?.id !== d.id || s.state !== 'ready') return
    if (v === s.baseVersion) {
      ed.markSaved()
      s.held = false
      return
    }
    await exclusive(async () => {
      try {
        const r = await studio().api.restoreMaskVersion({
          imageId: d.id,
          version: v,
          baseVersion: s.baseVersion,
          reason: 'undo',
        })
        Object.assign(s, { baseVersion: r.version, versions: r.versions, held: false })
        savePoints.set(sid, r.version)
        if (ed.history.stateId === sid) ed.markSaved()
        return true
      } catch (e) {
        toasts.error(e, `The stored mask was not taken back to v${v}`)
        return false
      }
    })
  }

  /** One autosave tick: stores a dirty canvas unless the edit is held (machine pixels over ground truth). */
  function autosaveTick(): void {
    if (editor.value?.isDirty && s.state === 'ready') void save()
  }

  // ---------- navigation ----------

  /** A queued image that is done (or reviewed) leaves the embedding map's annotation queue. */
  function settleQueued(imageId: number, st: AnnotationStatus): void {
    if ((st === 'done' || st === 'reviewed') && queuedIds.value.includes(imageId))
      queuedStore.remove(props.albumId, imageId)
  }

  async function step(delta: 1 | -1): Promise<void> {
    const items = s.queue?.items ?? []
    if (items.length === 0 && queuedIds.value.length === 0) return
    if (!(await save())) {
      if (s.held) toasts.push('info', 'Not saved', HELD_MSG)
      return
    }
    const next = nextImage({
      items,
      queued: queuedIds.value,
      current: props.imageId,
      delta,
      order: s.navOrder,
    })
    if (next !== undefined)
      nav.go({ name: 'annotate', target: { kind: 'album', id: props.albumId }, imageId: next }, true)
  }

  async function back(): Promise<void> {
    // a held machine edit over ground truth is neither saved nor dropped by leaving
    if (!(await save()) && s.held) {
      toasts.push('info', 'Not saved', HELD_MSG)
      return
    }
    nav.go({ name: 'image', target: { kind: 'album', id: props.albumId }, imageId: props.imageId })
  }

  /** Draws a new validation split (the split panel asks first). */
  async function makeSplit(fraction: number, seed: number): Promise<void> {
    try {
      await studio().api.makeSplit({ albumId: props.albumId, fraction, seed })
      s.queue = await studio().api.annotationQueue({ albumId: props.albumId })
    } catch (e) {
      toasts.error(e, 'Cannot make the split')
    }
  }

  async function toggleTag(c: number): Promise<void> {
    const d = s.detail
    if (!d) return
    const tags = d.tags.includes(c) ? d.tags.filter((t) => t !== c) : [...d.tags, c]
    try {
      s.detail = { ...d, ...(await studio().api.setImageTags({ imageId: d.id, tags })) }
    } catch (e) {
      toasts.error(e, 'Cannot change the tags')
    }
  }

  function unqueue(): void {
    queuedStore.remove(props.albumId, props.imageId)
  }

  function dispose(): void {
    superpixels?.dispose()
    superpixels = null
  }

  return {
    props,
    s,
    derived,
    editorState,
    settings,
    edit: editorState.edit,
    editor,
    superpixelsAt: (size: number) => superpixels?.get(size) ?? Promise.resolve(null),
    confirmMachineEdit,
    load,
    chooseProposal,
    startFromProposal,
    pickAccept,
    clickMask,
    save,
    setStatus,
    restore,
    undo,
    redo,
    autosaveTick,
    step,
    back,
    makeSplit,
    toggleTag,
    unqueue,
    dispose,
  }
}
