/** The backends the engine can train on, best first. */
export const BACKEND_CHOICES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const
export type BackendChoice = (typeof BACKEND_CHOICES)[number]

/** tfjs's own name for each choice (both native packages register 'tensorflow'). */
export const TF_BACKEND_NAME: Record<BackendChoice, string> = {
  'tfjs-node-gpu': 'tensorflow',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
}

export function isBackendChoice(v: string): v is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(v)
}

/** Reads a forced backend from a setting or PSS_BACKEND; '' and 'auto' mean "no preference". */
export function parseBackendChoice(raw: string | undefined, source: string): BackendChoice | undefined {
  if (raw === undefined) return undefined
  const v = raw.trim().toLowerCase()
  if (v === '' || v === 'auto') return undefined
  if (isBackendChoice(v)) return v
  throw new Error(`${source}='${raw}' is not a backend; allowed: ${BACKEND_CHOICES.join(', ')} or auto`)
}
