/**
 * The session's proposal layer: shows one of the image's mask proposals over the canvas (never in the
 * mask until copied), "Start from this" copies it all, Accept picks the region tool — the last two
 * through the ground-truth unlock on a locked validation mask.
 */
import type { ComputedRef, ShallowRef } from 'vue'
import type { MaskProposalSource } from '../../../shared/annotation'
import type { ImageDetail } from '../../../shared/domain'
import { studio } from '../api-client'
import { fetchLabels } from '../editor/load-labels'
import type { MaskEditor } from '../editor/mask-editor'
import type { useToastStore } from '../stores/toasts'
import { pushSettings, type EditorSettings } from './editor-state'

export interface ProposalState {
  detail: ImageDetail | null
  proposals: MaskProposalSource[]
  proposalKey: string | null
  proposalState: 'none' | 'loading' | 'ready' | 'error'
  proposalClasses: number[]
}

export interface ProposalDeps {
  s: ProposalState
  settings: EditorSettings
  editor: ShallowRef<MaskEditor | null>
  locked: ComputedRef<boolean>
  /** Asks before the first machine edit on a locked mask; true when the edit may go ahead. */
  confirmMachineEdit: () => boolean
  toasts: ReturnType<typeof useToastStore>
}

export function createProposalControls({
  s,
  settings,
  editor,
  locked,
  confirmMachineEdit,
  toasts,
}: ProposalDeps) {
  let proposalToken = 0
  /** Loads a proposal's PNG and shows it as its own layer (not in the mask); null hides it. */
  async function chooseProposal(key: string | null): Promise<void> {
    const t = ++proposalToken
    const ed = editor.value
    const d = s.detail
    const p = s.proposals.find((x) => x.key === key) ?? null
    s.proposalKey = p?.key ?? null
    if (!ed || !d || !p) {
      ed?.setProposal(null)
      s.proposalState = 'none'
      s.proposalClasses = []
      if (settings.tool === 'prediction' || settings.tool === 'reject') settings.tool = 'brush'
      return
    }
    s.proposalState = 'loading'
    try {
      const labels = await fetchLabels(studio().mediaUrl(p.media), d.width, d.height)
      if (t !== proposalToken || s.detail?.id !== d.id) return
      const layer = ed.setProposal({ key: p.key, labels })
      s.proposalClasses = layer?.classes() ?? []
      settings.proposalVisible = true
      // setProposal shows the layer: the settings (visibility, opacity, hold) decide again
      pushSettings(ed, settings)
      s.proposalState = 'ready'
      // On a locked mask the proposal is only shown: accepting needs the unlock first.
      if (!locked.value) settings.tool = 'prediction'
    } catch (e) {
      if (t !== proposalToken) return
      ed.setProposal(null)
      s.proposalState = 'error'
      toasts.error(e, `Cannot load the proposal "${p.label}"`)
    }
  }

  function startFromProposal(): void {
    if (!confirmMachineEdit()) return
    if (!editor.value?.startFromProposal())
      toasts.push(
        'info',
        'Nothing copied',
        'The proposal is empty, already in the mask, or the brush mode keeps those pixels.',
      )
  }

  /** Picks the Accept tool, after the unlock on a locked mask. */
  function pickAccept(): void {
    if (confirmMachineEdit()) settings.tool = 'prediction'
  }

  return { chooseProposal, startFromProposal, pickAccept }
}
