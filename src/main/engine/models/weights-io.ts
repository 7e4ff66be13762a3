/**
 * Weights on disk in the tfjs format: `model.json` (weightsManifest + metadata) and binary shards
 * (`weights.bin` when the engine writes; tensorflowjs_converter's `group1-shard1of4.bin`… are read too).
 *
 * `fileHandler(dir)` is a tf.io.IOHandler (pure tfjs has no file:// handler in Node); `saveParams` /
 * `loadNamedWeights` / `applyWeights` move a ParamStore's variables in and out by name, so a Keras model
 * converted with tensorflowjs_converter loads into a backbone with Keras Applications layer names.
 *
 * Writes are atomic per file (temp + fsync + rename); weights.bin is renamed before model.json and
 * model.json records its size and SHA-256, so a reader never silently pairs a manifest with other weights.
 */
import { writeFileAtomic } from '../../files/atomic-file'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import type { ParamStore } from './params'
import { makeDirSync } from '../../files/make-dir'
import { zodIssueLines } from '../sessions/request-error'

const WEIGHTS_FILE = 'weights.bin'
const MODEL_FILE = 'model.json'

const WeightEntry = z
  .object({
    name: z.string().min(1),
    shape: z.array(z.number().int().min(0)),
    dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
  })
  .passthrough()

export const ModelJson = z
  .object({
    format: z.string().optional(),
    generatedBy: z.string().optional(),
    convertedBy: z.string().nullable().optional(),
    modelTopology: z.unknown().optional(),
    weightsManifest: z.array(
      z.object({
        paths: z
          .array(
            z
              .string()
              .min(1)
              .refine((p) => !p.includes('/') && !p.includes('\\') && p !== '..' && p !== '.', {
                message: 'a weights path must be a file name in the same folder',
              }),
          )
          .min(1),
        weights: z.array(WeightEntry),
      }),
    ),
    userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough()

export class WeightsFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`)
    this.name = 'WeightsFileError'
  }
}

function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex')
}

function toBytes(weightData: tf.io.WeightData): Uint8Array {
  const buffers = Array.isArray(weightData) ? weightData : [weightData]
  const total = buffers.reduce((a, b) => a + b.byteLength, 0)
  const out = new Uint8Array(total)
  let o = 0
  for (const b of buffers) {
    out.set(new Uint8Array(b), o)
    o += b.byteLength
  }
  return out
}

/** A tf.io.IOHandler over a folder holding model.json + weight shards. */
export function fileHandler(dir: string): Required<Pick<tf.io.IOHandler, 'save' | 'load'>> {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      makeDirSync(dir)
      const bytes = artifacts.weightData ? toBytes(artifacts.weightData) : new Uint8Array(0)
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: {
          ...(artifacts.userDefinedMetadata ?? {}),
          weightsBytes: bytes.byteLength,
          weightsSha256: sha256(bytes),
        },
      }
      writeFileAtomic(path.join(dir, WEIGHTS_FILE), bytes)
      writeFileAtomic(path.join(dir, MODEL_FILE), JSON.stringify(json))
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightSpecsBytes: JSON.stringify(json.weightsManifest).length,
          weightDataBytes: bytes.byteLength,
        },
      }
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const modelFile = path.join(dir, MODEL_FILE)
      let raw: unknown
      try {
        raw = JSON.parse(fs.readFileSync(modelFile, 'utf8'))
      } catch (e) {
        throw new WeightsFileError(modelFile, e instanceof Error ? e.message : String(e))
      }
      const parsed = ModelJson.safeParse(raw)
      if (!parsed.success) {
        const issues = zodIssueLines(parsed.error)
        throw new WeightsFileError(modelFile, `not a tfjs model.json (${issues.join('; ')})`)
      }
      const m = parsed.data
      const specs: tf.io.WeightsManifestEntry[] = []
      const parts: Uint8Array[] = []
      for (const group of m.weightsManifest) {
        for (const p of group.paths) {
          const file = path.join(dir, p)
          try {
            parts.push(fs.readFileSync(file))
          } catch (e) {
            throw new WeightsFileError(file, e instanceof Error ? e.message : String(e))
          }
        }
        specs.push(...(group.weights as unknown as tf.io.WeightsManifestEntry[]))
      }
      const total = parts.reduce((a, b) => a + b.byteLength, 0)
      const data = new Uint8Array(total)
      let o = 0
      for (const p of parts) {
        data.set(p, o)
        o += p.byteLength
      }
      const meta = m.userDefinedMetadata ?? {}
      if (typeof meta['weightsSha256'] === 'string' && meta['weightsSha256'] !== sha256(data)) {
        throw new WeightsFileError(
          path.join(dir, WEIGHTS_FILE),
          'does not match the SHA-256 recorded in model.json',
        )
      }
      return {
        modelTopology: m.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        format: m.format,
        generatedBy: m.generatedBy,
        convertedBy: m.convertedBy,
        weightSpecs: specs,
        weightData: data.buffer,
        userDefinedMetadata: meta as Record<string, object>,
      }
    },
  }
}

/** Saves every variable of the store (trainable and moving statistics) by name. */
export async function saveParams(
  dir: string,
  params: ParamStore,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  const named = params.allVariables() as unknown as tf.NamedTensorMap
  const { data, specs } = await tf.io.encodeWeights(named)
  await fileHandler(dir).save({
    format: 'pss-studio-weights',
    generatedBy: `TensorFlow.js v${tf.version_core}`,
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: metadata as Record<string, object>,
  })
}

/** Reads a folder's weights as named tensors (caller disposes). Keras ":0" suffixes are dropped. */
export async function loadNamedWeights(
  dir: string,
): Promise<{ tensors: tf.NamedTensorMap; metadata: Record<string, unknown> }> {
  const a = await fileHandler(dir).load()
  if (!a.weightSpecs || !a.weightData)
    throw new WeightsFileError(path.join(dir, MODEL_FILE), 'has no weights')
  const decoded = tf.io.decodeWeights(a.weightData, a.weightSpecs)
  const tensors: tf.NamedTensorMap = {}
  for (const [k, t] of Object.entries(decoded)) tensors[k.replace(/:0$/, '')] = t
  return { tensors, metadata: (a.userDefinedMetadata ?? {}) as Record<string, unknown> }
}

export interface ApplyReport {
  loaded: string[]
  /** Parameters of the model with no weight in the file (left at their current values). */
  missing: string[]
  /** Weights in the file the model does not have. */
  unexpected: string[]
}

/**
 * Assigns weights to the store by name. Shape mismatches are errors naming the parameter; missing and
 * unexpected names are reported (and are errors when `strict`).
 */
export function applyWeights(params: ParamStore, tensors: tf.NamedTensorMap, strict = true): ApplyReport {
  const names = new Set(params.names())
  const loaded: string[] = []
  const unexpected: string[] = []
  for (const [name, t] of Object.entries(tensors)) {
    if (!names.has(name)) {
      unexpected.push(name)
      continue
    }
    const v = params.variable(name)
    if (v.shape.join() !== t.shape.join()) {
      throw new Error(`weight '${name}' has shape [${t.shape}] but the model expects [${v.shape}]`)
    }
    v.assign(t.dtype === 'float32' ? t : tf.tidy(() => t.toFloat()))
    loaded.push(name)
  }
  const missing = [...names].filter((n) => !(n in tensors))
  if (strict && (missing.length || unexpected.length)) {
    throw new Error(
      `weights do not match the model: ${missing.length} missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}), ` +
        `${unexpected.length} unexpected (${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', …' : ''})`,
    )
  }
  return { loaded, missing, unexpected }
}
