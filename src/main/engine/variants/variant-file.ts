/**
 * A prediction variant's folder inside its run's folder, and its record file:
 *
 *   <run>/variants/<variant>/predictions/<imageId>.png (+ _color.png)   the album, predicted again
 *   <run>/variants/<variant>/variant.json                                metrics, per-image FIoU, cost
 *
 * The record is a file, not a table (schema migrations are assigned elsewhere): written atomically, and
 * only into a complete folder that is then renamed into place, so a variant folder is either complete
 * or absent. Reading validates it; a record that does not validate reads as absent (with the reason).
 * No tfjs here.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { VARIANT_KINDS, type VariantKind } from '../../../shared/variants'
import { writeFileAtomic } from '../../files/atomic-file'

export const VARIANTS_DIR = 'variants'
export const VARIANT_FILE = 'variant.json'
export const VARIANT_PREDICTIONS = 'predictions'

/** <run>/variants/<variant> (the variant is one of VARIANT_KINDS, never user text). */
export function variantDir(runDir: string, v: VariantKind): string {
  if (!(VARIANT_KINDS as readonly string[]).includes(v)) throw new Error(`unknown variant "${String(v)}"`)
  return path.join(runDir, VARIANTS_DIR, v)
}

const finite = z.number().finite()
const fraction = z.number().min(0).max(1)
const nonNegative = z.number().finite().min(0)

export const VariantRecordSchema = z
  .object({
    version: z.literal(1),
    runId: z.number().int().positive(),
    variant: z.enum(VARIANT_KINDS),
    createdAt: z.string(),
    jobId: z.number().int().positive().nullable(),
    backend: z.string().nullable(),
    checkpoint: z.object({ stage: z.string(), iteration: z.number().int().min(0) }).strict(),
    options: z
      .object({
        tta: z
          .object({ scales: z.array(finite), flip: z.boolean() })
          .strict()
          .nullable(),
        crf: z
          .object({
            iterations: z.number().int().min(0),
            bilateral: z.object({ weight: finite, xyStd: finite, rgbStd: finite }).strict(),
            spatial: z.object({ weight: finite, xyStd: finite }).strict(),
          })
          .strict()
          .nullable(),
      })
      .strict(),
    /** Fingerprint of the (image, mask version) pairs scored: the run's. */
    maskSet: z.string(),
    metrics: z
      .object({
        images: z.number().int().min(0),
        fiou: fraction,
        miouAll21: fraction,
        miouPresent: fraction.nullable(),
      })
      .strict(),
    perClass: z.array(fraction),
    perClassPresent: z.array(fraction.nullable()),
    perClassImages: z.array(z.number().int().min(0)),
    confusion: z.array(z.array(z.number().int().min(0))),
    perImage: z.array(
      z
        .object({
          imageId: z.number().int().positive(),
          maskVersion: z.number().int().positive(),
          fiou: fraction,
        })
        .strict(),
    ),
    predicted: z.number().int().min(0),
    skipped: z.number().int().min(0),
    cost: z
      .object({
        images: z.number().int().min(0),
        seconds: nonNegative,
        secondsPerImage: nonNegative,
        predictSecondsPerImage: nonNegative,
        plainSecondsPerImage: nonNegative.nullable(),
        crfSecondsPerImage: nonNegative.nullable(),
        passes: z.number().int().min(1),
      })
      .strict(),
  })
  .strict()
export type VariantRecord = z.infer<typeof VariantRecordSchema>

/** Writes the record into a variant folder (atomic: temp file + fsync + rename). */
export function writeVariantRecord(dir: string, record: VariantRecord): void {
  const checked = VariantRecordSchema.parse(record)
  writeFileAtomic(path.join(dir, VARIANT_FILE), JSON.stringify(checked, null, 2))
}

export type VariantRead = { record: VariantRecord } | { record: null; problem: string | null }

/** The record of a variant folder: null without one (problem null) or when it does not validate (problem says why). */
export function readVariantRecord(dir: string): VariantRead {
  const file = path.join(dir, VARIANT_FILE)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { record: null, problem: null }
    return {
      record: null,
      problem: `${file}: cannot read it (${e instanceof Error ? e.message : String(e)})`,
    }
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    return { record: null, problem: `${file}: not JSON (${e instanceof Error ? e.message : String(e)})` }
  }
  const r = VariantRecordSchema.safeParse(raw)
  if (!r.success) {
    const first = r.error.issues[0]
    return {
      record: null,
      problem: `${file}: not a variant record (${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'})`,
    }
  }
  return { record: r.data }
}

/**
 * Puts a complete folder in place of the variant's folder: the old one (if any) is moved aside first and
 * removed only after the new one is in place, so a crash leaves the old or the new variant, never a mix.
 */
export function swapInVariant(fresh: string, target: string): void {
  const old = `${target}.old`
  fs.rmSync(old, { recursive: true, force: true })
  if (fs.existsSync(target)) fs.renameSync(target, old)
  fs.renameSync(fresh, target)
  fs.rmSync(old, { recursive: true, force: true })
}
