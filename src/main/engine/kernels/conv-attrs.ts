/**
 * Reading the attributes tfjs passes to the conv gradient kernels into one checked shape.
 * tfjs itself never passes `dilations` to Conv2DBackpropFilter/Input (its gradients refuse dilation > 1);
 * the project's kernels accept it, so atrous convolutions can use them directly.
 */
import type * as tf from '@tensorflow/tfjs'

export type Pair = [number, number]
export type ConvPad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined

export interface ConvAttrs {
  strides: Pair
  dilations: Pair
  pad: ConvPad
  dimRoundingMode: RoundingMode
  filterShape: [number, number, number, number]
  inputShape: [number, number, number, number]
  /** Project extension for Conv2DBackpropInput with equal strides > 1 (see conv2d-backprop-input.ts). */
  stridedInputGrad: StridedInputGrad
}

export const STRIDED_INPUT_GRADS = ['auto', 'combined', 'phases', 'zero-insertion'] as const
export type StridedInputGrad = (typeof STRIDED_INPUT_GRADS)[number]

function pair(v: unknown, name: string, fallback?: Pair): Pair {
  if (v === undefined || v === null) {
    if (fallback) return fallback
    throw new Error(`conv kernel: attribute '${name}' is missing`)
  }
  if (typeof v === 'number') return [v, v]
  if (Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number' && e >= 1)) {
    return [v[0] as number, v[1] as number]
  }
  throw new Error(
    `conv kernel: attribute '${name}' must be a number or a pair of numbers ≥ 1, got ${JSON.stringify(v)}`,
  )
}

function shape4(v: unknown, name: string): [number, number, number, number] | undefined {
  if (v === undefined || v === null) return undefined
  if (Array.isArray(v) && v.length === 4 && v.every((e) => Number.isInteger(e) && e >= 0)) {
    return v as [number, number, number, number]
  }
  throw new Error(`conv kernel: attribute '${name}' must be a 4-element shape, got ${JSON.stringify(v)}`)
}

/** Reads conv attributes; `filterShape`/`inputShape` fall back to the given defaults. */
export function convAttrs(
  attrs: tf.NamedAttrMap,
  defaults: { filterShape?: number[]; inputShape?: number[] },
): ConvAttrs {
  const dataFormat = attrs['dataFormat']
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`conv kernel: only dataFormat 'NHWC' is supported, got '${String(dataFormat)}'`)
  }
  const pad = attrs['pad'] as ConvPad | undefined
  if (pad === undefined) throw new Error("conv kernel: attribute 'pad' is missing")
  const rounding = attrs['dimRoundingMode']
  if (
    rounding !== undefined &&
    rounding !== null &&
    rounding !== 'floor' &&
    rounding !== 'round' &&
    rounding !== 'ceil'
  ) {
    throw new Error(
      `conv kernel: dimRoundingMode must be floor, round or ceil, got ${JSON.stringify(rounding)}`,
    )
  }
  const filterShape =
    shape4(attrs['filterShape'], 'filterShape') ?? shape4(defaults.filterShape, 'filter.shape')
  const inputShape = shape4(attrs['inputShape'], 'inputShape') ?? shape4(defaults.inputShape, 'x.shape')
  if (!filterShape) throw new Error('conv kernel: the filter shape is unknown')
  if (!inputShape) throw new Error('conv kernel: the input shape is unknown')
  return {
    strides: pair(attrs['strides'], 'strides'),
    dilations: pair(attrs['dilations'], 'dilations', [1, 1]),
    pad,
    dimRoundingMode: (rounding ?? undefined) as RoundingMode,
    filterShape,
    inputShape,
    stridedInputGrad: stridedInputGrad(attrs['stridedInputGrad']),
  }
}

function stridedInputGrad(v: unknown): StridedInputGrad {
  if (v === undefined || v === null) return 'auto'
  if ((STRIDED_INPUT_GRADS as readonly unknown[]).includes(v)) return v as StridedInputGrad
  throw new Error(
    `conv kernel: stridedInputGrad must be one of ${STRIDED_INPUT_GRADS.join(', ')}, got ${JSON.stringify(v)}`,
  )
}
