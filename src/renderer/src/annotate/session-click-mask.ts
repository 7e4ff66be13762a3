/**
 * The session's side of the click-mask tool (editor/tools/click-mask-tool.ts): fetches the image's
 * probability map from the album's best model once per image (clickMaskMap; the studio caches it on
 * disk), says plainly when the project has no model, picks the tool through the ground-truth unlock, and
 * keeps what the hint line shows (which model, the last click's cost).
 */
import { reactive } from 'vue'
import type { ClickMaskMap, ClickMaskModel } from '../../../shared/click-mask'
import { studio } from '../api-client'
import type { ClickMaskApplied } from '../editor/tools/click-mask-tool'
import { probMapFromPlanes } from '../editor/tools/click-mask-region'
import type { ClickMaskHooks, ClickMaskModelSource } from '../editor/tools/tool'
import type { useToastStore } from '../stores/toasts'
import type { EditorSettings } from './editor-state'

export interface ClickMaskState {
  status: 'idle' | 'loading' | 'ready' | 'missing' | 'error'
  model: ClickMaskModel | null
  /** Why there is no model (status 'missing'), or what failed. */
  message: string | null
  /** The forward pass that made this image's map, when it ran for this editor (not from the cache). */
  forwardMs: number | null
  last: ClickMaskApplied | null
  /** Every applied click's cost in this session (ms; the bench reads it). */
  timings: number[]
}

/** Base64 → bytes (atob gives a binary string). */
function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** The editor's model source from an API answer (null when the project has no model). */
export function modelSourceOf(r: ClickMaskMap): ClickMaskModelSource | null {
  if (!r.available) return null
  return {
    map: probMapFromPlanes(fromBase64(r.top2Base64), r.width, r.height),
    key: `Click mask · ${r.model.label}`,
  }
}

export interface ClickMaskDeps {
  imageId: () => number | null
  settings: EditorSettings
  /** Asks before the first machine edit on a locked mask; true when the edit may go ahead. */
  confirmMachineEdit: () => boolean
  toasts: ReturnType<typeof useToastStore>
}

export function createClickMaskControls({ imageId, settings, confirmMachineEdit, toasts }: ClickMaskDeps) {
  const state = reactive<ClickMaskState>({
    status: 'idle',
    model: null,
    message: null,
    forwardMs: null,
    last: null,
    timings: [],
  })
  let loaded: { imageId: number; source: Promise<ClickMaskModelSource | null> } | null = null
  /** The last fetch's error, shown once when a click needed the model. */
  let failure: unknown = null

  function fetchModel(id: number): Promise<ClickMaskModelSource | null> {
    state.status = 'loading'
    state.message = null
    return studio()
      .api.clickMaskMap({ imageId: id })
      .then((r) => {
        if (loaded?.imageId !== id) return null
        if (!r.available) {
          // Said in the hint line now, and as a message when a click needs the model (clicks()).
          Object.assign(state, { status: 'missing', model: null, message: r.reason })
          return null
        }
        Object.assign(state, { status: 'ready', model: r.model, forwardMs: r.forwardMs })
        return modelSourceOf(r)
      })
      .catch((e: unknown) => {
        if (loaded?.imageId === id) {
          // A failure is not remembered: the next click asks again.
          loaded = null
          state.status = 'error'
          state.message = e instanceof Error ? e.message : String(e)
          failure = e
        }
        return null
      })
  }

  /** The current image's model map (fetched on first use, then kept for the image). */
  function model(): Promise<ClickMaskModelSource | null> {
    const id = imageId()
    if (id === null) return Promise.resolve(null)
    if (loaded?.imageId !== id) loaded = { imageId: id, source: fetchModel(id) }
    return loaded.source
  }

  /** The model for a click: says why there is none (the prefetch when the tool is picked stays quiet). */
  async function modelForClick(): Promise<ClickMaskModelSource | null> {
    const source = await model()
    if (source) return source
    if (state.status === 'missing' && state.message) {
      toasts.push('info', 'No model for click masks', state.message)
      // Asked again at the next click: a run may have finished meanwhile.
      loaded = null
    } else if (failure !== null) {
      toasts.error(failure, 'Cannot compute the click mask')
      failure = null
    }
    return null
  }

  const hooks: ClickMaskHooks = {
    model: modelForClick,
    applied(info) {
      state.last = info
      if (info) state.timings.push(info.ms)
      else toasts.push('info', 'Nothing there', 'The model has no region under that click (or in that box).')
    },
    failed(e) {
      toasts.error(e, 'The click mask failed')
    },
  }

  /** Picks the tool (after the unlock on a locked mask) and starts loading the model's map. */
  function pick(): void {
    if (!confirmMachineEdit()) return
    settings.tool = 'clickMask'
    void model()
  }

  /** A new image: its map is fetched when the tool first needs it. */
  function reset(): void {
    loaded = null
    Object.assign(state, { status: 'idle', model: null, message: null, forwardMs: null, last: null })
  }

  return { state, hooks, pick, reset, model }
}
