/**
 * Registers the project's training kernels for a backend (wasm: they are missing or naive; cpu: the stock
 * ones are naive loops and the composed ones reuse its forward conv) and the depthwise gradient override.
 *
 * Kernels are registered, not just gradients, because tf.layers' fused conv path and tf.fused.conv2d call
 * Conv2DBackpropFilter/Input directly. The stock kernels are remembered so `unregisterTrainingKernels`
 * can restore them (the benchmark measures stock vs. composed in one process).
 */
import * as tf from '@tensorflow/tfjs'
import { conv2dBackpropFilterImpl } from './conv2d-backprop-filter'
import { conv2dBackpropInputImpl } from './conv2d-backprop-input'
import { convAttrs } from './conv-attrs'
import { registerDepthwiseGradient } from './depthwise-grad'

export const TRAINING_KERNEL_NAMES = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const

/**
 * wasm only: Identity (tf.clone) shares the data instead of copying it. The engine clones every tensor a
 * gradient needs (inputs/outputs saved for the backward pass), and wasm's stock Identity memcpy's each one —
 * about a tenth of a training step. tfjs tensors are immutable and wasm data is reference-counted (its own
 * Reshape shares data the same way), which is what the cpu backend's Identity already does.
 */
const WASM_ONLY_KERNEL_NAMES = ['Identity'] as const

function kernelNamesFor(backendName: string): string[] {
  return backendName === 'wasm'
    ? [...TRAINING_KERNEL_NAMES, ...WASM_ONLY_KERNEL_NAMES]
    : [...TRAINING_KERNEL_NAMES]
}

const stockKernels = new Map<string, tf.KernelConfig | null>()
const registeredFor = new Set<string>()

function key(kernelName: string, backendName: string): string {
  return `${backendName}/${kernelName}`
}

function replaceKernel(config: tf.KernelConfig): void {
  const k = key(config.kernelName, config.backendName)
  const stock = tf.getKernel(config.kernelName, config.backendName)
  if (!stockKernels.has(k)) stockKernels.set(k, stock ?? null)
  if (stock) tf.unregisterKernel(config.kernelName, config.backendName)
  tf.registerKernel(config)
}

/** Idempotent. Returns the kernel names now served by the project's implementations. */
export function registerTrainingKernels(backendName: string): string[] {
  registerDepthwiseGradient()
  if (registeredFor.has(backendName)) return kernelNamesFor(backendName)
  replaceKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs['x']
      const dy = inputs['dy']
      if (!x || !dy) throw new Error('Conv2DBackpropFilter: inputs x and dy are required')
      const a = convAttrs(attrs ?? {}, { inputShape: x.shape })
      return conv2dBackpropFilterImpl(backend as tf.KernelBackend, backendName, x, dy, a)
    },
  })
  replaceKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const dy = inputs['dy']
      const filter = inputs['filter']
      if (!dy || !filter) throw new Error('Conv2DBackpropInput: inputs dy and filter are required')
      const a = convAttrs(attrs ?? {}, { filterShape: filter.shape })
      return conv2dBackpropInputImpl(backend as tf.KernelBackend, backendName, dy, filter, a)
    },
  })
  if (backendName === 'wasm') {
    replaceKernel({
      kernelName: 'Identity',
      backendName,
      kernelFunc: (args) => {
        const { inputs, backend } = args
        const x = inputs['x']
        if (!x) throw new Error('Identity: input x is required')
        if (x.dtype === 'string') {
          // String data lives outside the wasm heap; leave it to the stock kernel.
          const stock = stockKernels.get(key('Identity', backendName))
          if (!stock) throw new Error('Identity: no stock kernel for string tensors')
          return stock.kernelFunc(args)
        }
        ;(backend as tf.KernelBackend & { incRef(id: tf.DataId): void }).incRef(x.dataId)
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
      },
    })
  }
  registeredFor.add(backendName)
  return kernelNamesFor(backendName)
}

/** Puts the stock kernels back (or removes ours where there was none). */
export function unregisterTrainingKernels(backendName: string): void {
  if (!registeredFor.has(backendName)) return
  for (const name of kernelNamesFor(backendName)) {
    const k = key(name, backendName)
    if (tf.getKernel(name, backendName)) tf.unregisterKernel(name, backendName)
    const stock = stockKernels.get(k)
    if (stock) tf.registerKernel(stock)
    stockKernels.delete(k)
  }
  registeredFor.delete(backendName)
}

export function trainingKernelsRegistered(backendName: string): boolean {
  return registeredFor.has(backendName)
}
