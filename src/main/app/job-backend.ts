/**
 * The tfjs backend a job's engine worker asks for: PSS_BACKEND when set, else what the studio's probe
 * found (falling back to wasm, which trains everywhere), so runs, co-segmentation and variants agree.
 */
import { isBackendChoice, parseBackendChoice, type BackendChoice } from '../engine/api'

export async function chooseJobBackend(probe: () => Promise<string>): Promise<BackendChoice> {
  const forced = parseBackendChoice(process.env.PSS_BACKEND, 'PSS_BACKEND')
  if (forced) return forced
  try {
    const name = await probe()
    return isBackendChoice(name) ? name : 'wasm'
  } catch {
    return 'wasm'
  }
}
