/**
 * The SegSort files of a run folder (no tfjs, no database: the app's explain handlers read them too):
 *
 *   <segsort>/run.json                      the validated config
 *   <segsort>/model/                        the trained embedding network (model.json + weights.bin)
 *   <segsort>/bank/bank.json                memory bank: dim, input size, one entry per annotated segment
 *   <segsort>/bank/prototypes.bin           the entries' unit prototypes, float32 little-endian, count × dim
 *   <segsort>/explain/<name>.json           per predicted image: its segments, labels, votes, neighbours
 *   <segsort>/explain/<name>.png            per predicted image: segment id of each pixel (original size)
 *
 * Every write is atomic; a reader names the file and what is wrong with it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../../files/atomic-file'
import { decodeLabelPng, encodeLabelPng, type LabelMap } from '../../media/label-png'
import { BANK_ORIGINS } from './segsort-config'
import { makeDirSync } from '../../files/make-dir'
import { zodIssueLines } from '../sessions/request-error'

export const SEGSORT_DIR = 'segsort'
export const BANK_DIR = 'bank'
export const EXPLAIN_DIR = 'explain'
export const MODEL_DIR = 'model'

const BoxSchema = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()])

export const BankEntrySchema = z.object({
  origin: z.enum(BANK_ORIGINS),
  /** The image's key (the studio's image id). */
  key: z.string(),
  label: z.number().int().min(0).max(254),
  /** Pixels of the segment at the network's input size. */
  pixels: z.number().int().min(1),
  /** [x0, y0, x1, y1) in the original image's pixels. */
  bbox: BoxSchema,
  imageWidth: z.number().int().min(1),
  imageHeight: z.number().int().min(1),
})
export type BankEntry = z.infer<typeof BankEntrySchema>

const BankJson = z.object({
  version: z.literal(1),
  dim: z.number().int().min(1),
  /** The network's input side the prototypes were computed at. */
  size: z.number().int().min(1),
  count: z.number().int().min(0),
  origins: z.array(z.enum(BANK_ORIGINS)),
  entries: z.array(BankEntrySchema),
})

export interface MemoryBank {
  dim: number
  size: number
  origins: (typeof BANK_ORIGINS)[number][]
  entries: BankEntry[]
  prototypes: Float32Array
}

export const ExplainSegmentSchema = z.object({
  id: z.number().int().min(0),
  label: z.number().int().min(0),
  /** Pixels at the original size. */
  pixels: z.number().int().min(0),
  bbox: BoxSchema,
  votes: z.record(z.string(), z.number().int()),
  neighbours: z.array(z.object({ index: z.number().int().min(0), similarity: z.number() })),
})
export type ExplainSegment = z.infer<typeof ExplainSegmentSchema>

const ExplainJson = z.object({
  version: z.literal(1),
  name: z.string(),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  knn: z.number().int().min(1),
  segments: z.array(ExplainSegmentSchema),
})
export type ExplainImage = z.infer<typeof ExplainJson>

export class SegsortFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`)
    this.name = 'SegsortFileError'
  }
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new SegsortFileError(file, e instanceof Error ? e.message : String(e))
  }
  const r = schema.safeParse(raw)
  if (!r.success) {
    const issues = zodIssueLines(r.error)
    throw new SegsortFileError(file, `unexpected content (${issues.join('; ')})`)
  }
  return r.data
}

export function writeBank(segsortDir: string, bank: MemoryBank): void {
  const dir = path.join(segsortDir, BANK_DIR)
  makeDirSync(dir)
  if (bank.prototypes.length !== bank.entries.length * bank.dim) {
    throw new Error(
      `memory bank: ${bank.prototypes.length} values for ${bank.entries.length} entries of ${bank.dim}`,
    )
  }
  const bytes = new Uint8Array(bank.prototypes.length * 4)
  const view = new DataView(bytes.buffer)
  bank.prototypes.forEach((v, i) => view.setFloat32(i * 4, v, true))
  // Prototypes first: bank.json is the commit point (a reader checks the sizes agree).
  writeFileAtomic(path.join(dir, 'prototypes.bin'), bytes)
  const json: z.infer<typeof BankJson> = {
    version: 1,
    dim: bank.dim,
    size: bank.size,
    count: bank.entries.length,
    origins: bank.origins,
    entries: bank.entries,
  }
  writeFileAtomic(path.join(dir, 'bank.json'), JSON.stringify(json))
}

export function readBank(segsortDir: string): MemoryBank {
  const dir = path.join(segsortDir, BANK_DIR)
  const meta = readJson(path.join(dir, 'bank.json'), BankJson)
  const binFile = path.join(dir, 'prototypes.bin')
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(binFile)
  } catch (e) {
    throw new SegsortFileError(binFile, e instanceof Error ? e.message : String(e))
  }
  if (meta.entries.length !== meta.count || bytes.length !== meta.count * meta.dim * 4) {
    throw new SegsortFileError(
      binFile,
      `holds ${bytes.length} bytes, expected ${meta.count} × ${meta.dim} float32`,
    )
  }
  const prototypes = new Float32Array(meta.count * meta.dim)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < prototypes.length; i++) prototypes[i] = view.getFloat32(i * 4, true)
  return { dim: meta.dim, size: meta.size, origins: meta.origins, entries: meta.entries, prototypes }
}

function explainStem(segsortDir: string, name: string): string {
  if (!/^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/.test(name) || name === '.' || name === '..') {
    throw new Error(`explain: '${name}' is not a plain file stem`)
  }
  return path.join(segsortDir, EXPLAIN_DIR, name)
}

/** Writes an image's explain record and its segment map (segment id per pixel, at the original size). */
export function writeExplain(segsortDir: string, record: ExplainImage, segmentMap: LabelMap): void {
  if (record.segments.length > 255)
    throw new Error(`explain: ${record.segments.length} segments do not fit a PNG of 8 bits`)
  const stem = explainStem(segsortDir, record.name)
  makeDirSync(path.dirname(stem))
  writeFileAtomic(`${stem}.png`, encodeLabelPng(segmentMap))
  writeFileAtomic(`${stem}.json`, JSON.stringify(record))
}

export function readExplain(segsortDir: string, name: string): { record: ExplainImage; segments: LabelMap } {
  const stem = explainStem(segsortDir, name)
  const record = readJson(`${stem}.json`, ExplainJson)
  let segments: LabelMap
  try {
    segments = decodeLabelPng(fs.readFileSync(`${stem}.png`))
  } catch (e) {
    throw new SegsortFileError(`${stem}.png`, e instanceof Error ? e.message : String(e))
  }
  if (segments.width !== record.width || segments.height !== record.height) {
    throw new SegsortFileError(
      `${stem}.png`,
      `is ${segments.width}×${segments.height}, its record says ${record.width}×${record.height}`,
    )
  }
  return { record, segments }
}
