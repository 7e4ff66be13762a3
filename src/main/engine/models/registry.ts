/**
 * Model registry: a run config names a model kind; the factory validates its config into a defaulted copy.
 */
import { parseDiscriminatorConfig, parseSegNetConfig, type SegNetConfig } from './config'
import { Discriminator } from './discriminator'
import { SegNet, type SegmentationModel } from './segnet'

export const MODEL_KINDS = ['segnet'] as const
export type ModelKind = (typeof MODEL_KINDS)[number]

type Factory = (rawConfig: unknown) => SegmentationModel

const registry: Record<ModelKind, Factory> = {
  segnet: (raw) => new SegNet(parseSegNetConfig(raw)),
}

export function createModel(kind: string, rawConfig: unknown): SegmentationModel {
  if (!(MODEL_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`unknown model kind '${kind}'; allowed: ${MODEL_KINDS.join(', ')}`)
  }
  return registry[kind as ModelKind](rawConfig)
}

export function createDiscriminator(rawConfig: unknown, inChannels: number, name = 'd'): Discriminator {
  return new Discriminator(parseDiscriminatorConfig(rawConfig), inChannels, name)
}

export type { SegNetConfig }
