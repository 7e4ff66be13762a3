/** What the backend chip says: a short label, its tone, and the lines of its popover. Pure, for tests. */
import type { AppInfo } from '../../../shared/api'

type Backend = AppInfo['backend']

export type ChipTone = 'ok' | 'warn' | 'err' | 'plain'

/** Shown whatever backend was chosen, unless it is the GPU one (issue 3: "how to get the GPU one"). */
export const GPU_HINT =
  'GPU training: install @tensorflow/tfjs-node-gpu@4.22 on a machine with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1 ' +
  '(its install downloads libtensorflow; set TFJS_NODE_CDN_STORAGE to use a mirror). `pss-studio backend` shows the details.'

export interface ChipText {
  label: string
  tone: ChipTone
  /** Popover lines: device first, then the core's notes, then the GPU hint. */
  lines: string[]
}

function deviceKind(b: NonNullable<Backend>): string {
  if (b.name === 'tfjs-node-gpu' && /GPU/.test(b.device) && !/no usable GPU/.test(b.device)) return 'GPU'
  const threads = /(\d+) thread/.exec(b.device)
  if (threads) return `CPU, ${threads[1]} thread${threads[1] === '1' ? '' : 's'}`
  return /multi-threaded/.test(b.device) ? 'CPU, multi-threaded' : 'CPU'
}

/** Why the GPU backend is not in use, from the core's note about tfjs-node-gpu. */
function gpuState(b: NonNullable<Backend>): string {
  const note = b.notes.find((n) => n.startsWith('tfjs-node-gpu:'))
  if (!note) return 'GPU backend not used'
  if (note.includes('not installed')) return 'GPU backend not installed'
  if (note.includes('no GPU')) return 'no usable GPU'
  return 'GPU backend failed to load'
}

export function backendChipText(b: Backend): ChipText {
  if (b === null)
    return { label: 'Compute: checking…', tone: 'plain', lines: ['Finding the compute backend…'] }
  if (b.name === 'unavailable') {
    return { label: 'Compute: unavailable', tone: 'err', lines: [...b.notes, GPU_HINT] }
  }
  const kind = deviceKind(b)
  const onGpu = kind === 'GPU'
  return {
    label: `Compute: ${b.name} (${kind})${onGpu ? '' : ` — ${gpuState(b)}`}`,
    tone: onGpu ? 'ok' : b.name === 'cpu' ? 'warn' : 'plain',
    lines: [`Device: ${b.device}`, ...b.notes, ...(onGpu ? [] : [GPU_HINT])],
  }
}
