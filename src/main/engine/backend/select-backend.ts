/**
 * Picks the best backend that works on this machine: tfjs-node-gpu → tfjs-node → wasm (+ the project's
 * training kernels) → cpu (+ the same kernels), and says why each better one was skipped. A setting or
 * PSS_BACKEND forces one; a forced backend that cannot start is an error, not a silent fallback.
 *
 * The native packages are optionalDependencies: on a machine that reaches only the npm registry their
 * install cannot download libtensorflow, npm leaves them out, and `require` throws MODULE_NOT_FOUND.
 */
import * as os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { BACKEND_CHOICES, parseBackendChoice, TF_BACKEND_NAME, type BackendChoice } from './backend-choice'
import { activateWasm } from './wasm'
import { nodeRequire } from './node-require'
import { registerTrainingKernels } from '../kernels/register'

export interface BackendReport {
  /** The chosen backend. */
  name: BackendChoice
  /** tfjs's name for it ('tensorflow', 'wasm', 'cpu'). */
  tfBackend: string
  /** What computes: GPU or CPU model, threads. */
  device: string
  /** Why each better backend was skipped, and how to get it. Empty when the best one was taken. */
  reasons: string[]
  /** True when a setting or PSS_BACKEND chose it. */
  forced: boolean
  /** Kernels the project registered for this backend (empty for the native ones, which have their own). */
  trainingKernels: string[]
}

export interface SelectBackendOptions {
  /** A forced backend from the studio's settings; wins over PSS_BACKEND. '' / 'auto' = no preference. */
  force?: string
  env?: Record<string, string | undefined>
  /** Loads an optional package; injectable for tests. Defaults to Node's require. */
  loadModule?: (id: string) => unknown
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendChoice,
    readonly reasons: string[],
  ) {
    super(`The forced backend '${backend}' is not available: ${reasons.join('; ')}`)
    this.name = 'BackendUnavailableError'
  }
}

const GPU_HOWTO =
  'for NVIDIA GPU training install @tensorflow/tfjs-node-gpu@4.22 (needs CUDA 11.2 + cuDNN 8.1; its install ' +
  'downloads libtensorflow 2.9.1 from Google, or from a mirror named by TFJS_NODE_CDN_STORAGE / ' +
  'TFJS_NODE_BASE_URI)'
const NODE_HOWTO =
  'for native multi-threaded CPU training install @tensorflow/tfjs-node@4.22 (its install downloads libtensorflow ' +
  '2.9.1; set TFJS_NODE_CDN_STORAGE / TFJS_NODE_BASE_URI to use a mirror)'

function errorText(e: unknown): { code: string | undefined; message: string } {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code
    return { code: typeof code === 'string' ? code : undefined, message: e.message.split('\n')[0] ?? '' }
  }
  return { code: undefined, message: String(e) }
}

function cpuText(): string {
  const cpus = os.cpus()
  const model = cpus[0]?.model.trim() ?? 'unknown CPU'
  return `${model} (${cpus.length} logical cores)`
}

/** Why loading a native package failed, with the way to fix it. */
function nativeLoadReason(pkg: BackendChoice, e: unknown): string {
  const { code, message } = errorText(e)
  const howto = pkg === 'tfjs-node-gpu' ? GPU_HOWTO : NODE_HOWTO
  // The package itself missing, not a file inside it (a broken install names the binding's path instead).
  if (code === 'MODULE_NOT_FOUND' && message.includes(`'@tensorflow/${pkg}'`)) {
    return `${pkg}: not installed (MODULE_NOT_FOUND); ${howto}`
  }
  const cuda = /libcud|cuda|cudnn/i.test(message)
    ? ' — the CUDA 11.2 / cuDNN 8.1 libraries were not found'
    : ''
  return `${pkg}: failed to load (${code ? code + ': ' : ''}${message})${cuda}; ${howto}`
}

interface Activated {
  device: string
  trainingKernels: string[]
  note?: string
}

async function activate(choice: BackendChoice, load: (id: string) => unknown): Promise<Activated> {
  switch (choice) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      try {
        load(`@tensorflow/${choice}`)
      } catch (e) {
        throw new Error(nativeLoadReason(choice, e))
      }
      if (!(await tf.setBackend('tensorflow'))) {
        throw new Error(`${choice}: loaded, but its 'tensorflow' backend did not initialise`)
      }
      await tf.ready()
      const be = tf.backend() as unknown as { isUsingGpuDevice?: boolean; isGPUPackage?: boolean }
      if (choice === 'tfjs-node-gpu') {
        const onGpu = be.isUsingGpuDevice === true
        return {
          device: onGpu
            ? 'NVIDIA GPU (CUDA, libtensorflow 2.9.1)'
            : `${cpuText()} — tfjs-node-gpu found no usable GPU`,
          trainingKernels: [],
          note: onGpu
            ? undefined
            : 'tfjs-node-gpu: loaded but TensorFlow sees no GPU (check the driver, CUDA 11.2, cuDNN 8.1)',
        }
      }
      return { device: `${cpuText()} — native TensorFlow, multi-threaded`, trainingKernels: [] }
    }
    case 'wasm': {
      try {
        await activateWasm()
      } catch (e) {
        throw new Error(`wasm: ${errorText(e).message}`)
      }
      return {
        device: `${cpuText()} — WebAssembly + SIMD, 1 thread (tfjs-backend-wasm has no threads in Node)`,
        trainingKernels: registerTrainingKernels('wasm'),
      }
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error("cpu: tfjs's cpu backend did not initialise")
      await tf.ready()
      return {
        device: `${cpuText()} — plain JavaScript, 1 thread`,
        trainingKernels: registerTrainingKernels('cpu'),
      }
    }
    default: {
      const never: never = choice
      throw new Error(`unknown backend ${String(never)}`)
    }
  }
}

/** Selects and activates a backend. Throws BackendUnavailableError if a forced one cannot start. */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendReport> {
  const env = opts.env ?? process.env
  const forced =
    parseBackendChoice(opts.force, 'the backend setting') ??
    parseBackendChoice(env['PSS_BACKEND'], 'PSS_BACKEND')
  const load = opts.loadModule ?? ((id: string) => nodeRequire()(id))
  const candidates: readonly BackendChoice[] = forced ? [forced] : BACKEND_CHOICES
  const reasons: string[] = []
  if (forced) reasons.push(`forced by ${opts.force ? 'the backend setting' : 'PSS_BACKEND'}: ${forced}`)
  for (const choice of candidates) {
    try {
      const a = await activate(choice, load)
      if (a.note) reasons.push(a.note)
      return {
        name: choice,
        tfBackend: TF_BACKEND_NAME[choice],
        device: a.device,
        reasons,
        forced: forced !== undefined,
        trainingKernels: a.trainingKernels,
      }
    } catch (e) {
      reasons.push(errorText(e).message)
    }
  }
  if (forced) throw new BackendUnavailableError(forced, reasons.slice(1))
  // cpu cannot fail to load in practice; if it does, say everything that went wrong.
  throw new Error(`No tfjs backend could start: ${reasons.join('; ')}`)
}
