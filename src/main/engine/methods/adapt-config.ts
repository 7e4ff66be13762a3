/**
 * The configuration of one adaptation run, as data: validated (zod) in the main thread and again in the
 * worker, written to the run folder's run.json so a resume can check it continues the same run.
 *
 * The model starts from `init` — a checkpoint folder (the source / No-DA model, weights only) or a stage-1
 * adaptation run (its latest checkpoint, discriminators included; required by the two-stage methods, whose
 * pseudo labels that model predicts), or an imported PyTorch model (`{kind: 'pth', file, arch, sha256}`: a
 * torchvision network built from that state dict) — or from fresh weights when `init` is null.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import { ContextConfigSchema } from '../models/config'
import { configNeedsStage1, MethodConfigSchema, METHOD_KINDS } from './registry'
import { importedModelRefusal, PthSourceSchema } from './source-model'
import { parseRequest } from '../sessions/request-error'

const LabelledFileSchema = z
  .object({
    image: z.string().min(1),
    mask: z.string().min(1),
    /**
     * The source image's cluster (docs/method.md §3: source batches are grouped too). When every source
     * file has one and the network has a group context, source batches hold one group each.
     */
    group: z.number().int().min(0).optional(),
  })
  .strict()

/** A plain file stem (pseudo labels are written as <runDir>/pseudo/<name>.png). */
const SAFE_NAME = /^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/

export const TargetItemSchema = z
  .object({
    image: z.string().min(1),
    name: z
      .string()
      .regex(SAFE_NAME, 'a name is a plain file stem (letters, digits, ".", "_", "-", " ")')
      .refine((n) => n !== '.' && n !== '..', 'a name cannot be "." or ".."'),
    /** The album cluster (group) of the image; batches are drawn from one group when the context is on. */
    group: z.number().int().min(0).optional(),
  })
  .strict()
export type TargetItem = z.infer<typeof TargetItemSchema>

export const InitSchema = z.discriminatedUnion('kind', [
  /** A checkpoint folder (model.json + weights.bin), e.g. the No-DA run's latest checkpoint. */
  z.object({ kind: z.literal('checkpoint'), dir: z.string().min(1) }).strict(),
  /** A stage-1 adaptation run folder: its latest checkpoint (with discriminators). */
  z.object({ kind: z.literal('adapt-run'), runDir: z.string().min(1) }).strict(),
  /** An imported torchvision model (source-model.ts): the network is built from the state dict's architecture. */
  PthSourceSchema,
])
export type AdaptInit = z.infer<typeof InitSchema>

const size = z
  .number()
  .int()
  .min(32)
  .max(1024)
  .refine((s) => s % 8 === 0, { message: 'size must be a multiple of 8' })

export const AdaptConfigSchema = z
  .object({
    runDir: z.string().min(1),
    seed: z.number().int().min(0).max(0xffffffff),
    steps: z.number().int().min(1),
    batch: z.number().int().min(1).max(64),
    /** Crop side: a multiple of 8, at least 32 (the discriminators need 32×32 maps). */
    size,
    width: z.union([z.literal(16), z.literal(32)]),
    numClasses: z.number().int().min(2).max(255).default(21),
    backend: z.enum(BACKEND_CHOICES).default('wasm'),
    /** Save a checkpoint every this many iterations (0 = only at the end). */
    checkpointEvery: z.number().int().min(0).default(0),
    method: MethodConfigSchema,
    /** Channels of the discriminators' first conv (ADVENT: 64 → 128 → 256 → 512 → 1). */
    ndf: z.number().int().min(4).max(128).default(64),
    /** Group context module of the segmenter; default: 'ours' for the PSS kinds, none otherwise. */
    context: ContextConfigSchema.optional(),
    source: z.array(LabelledFileSchema).min(1),
    /** The album's images (unlabelled); may be empty for source-only kinds. */
    target: z.array(TargetItemSchema),
    init: InitSchema.nullable().default(null),
    /**
     * Stop the stage early when its album predictions collapse onto one class (collapse-detector.ts). The
     * studio turns it on (its runs then select among the snapshots, the source model included); the
     * benchmark leaves it off, so every row runs its full budget.
     */
    collapseGuard: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (configNeedsStage1(c.method) && c.init?.kind !== 'adapt-run') {
      ctx.addIssue({
        code: 'custom',
        path: ['init'],
        message: `${c.method.kind}${c.method.kind === 'mrnet' ? ' stage 2' : ''} starts from a stage-1 run: init must be {kind: 'adapt-run', runDir}`,
      })
    }
    if (c.init?.kind === 'pth') {
      const refusal = importedModelRefusal(c.method.kind, c.init.arch, c.init.aux ?? false)
      if (refusal) ctx.addIssue({ code: 'custom', path: ['init'], message: refusal })
      else if (c.context && c.context.variant !== 'none')
        ctx.addIssue({
          code: 'custom',
          path: ['context'],
          message:
            'the group context module cannot attach to an imported torchvision model (no PSP head, no aux regions)',
        })
    }
    if (c.method.kind !== 'noda' && c.target.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `${c.method.kind} needs the album's images` })
    }
  })

export type AdaptConfig = z.infer<typeof AdaptConfigSchema>
export type AdaptConfigInput = z.input<typeof AdaptConfigSchema>

export function parseAdaptConfig(raw: unknown): AdaptConfig {
  return parseRequest(AdaptConfigSchema, raw, 'adaptation config')
}

/** The effective context variant of a run (PSS kinds default to the paper's regional context). */
export function contextFor(c: Pick<AdaptConfig, 'method' | 'context'>): z.infer<typeof ContextConfigSchema> {
  if (c.context) return c.context
  const pss = c.method.kind === 'pss-s1' || c.method.kind === 'pss-s2'
  return ContextConfigSchema.parse({ variant: pss ? 'ours' : 'none' })
}

/** Fields that must be equal for a resume to continue the same loss curve. */
export const ADAPT_IDENTITY_FIELDS = [
  'seed',
  'steps',
  'batch',
  'size',
  'width',
  'numClasses',
  'ndf',
  'method',
  'context',
  'source',
  'target',
  'init',
] as const satisfies readonly (keyof AdaptConfig)[]

export { METHOD_KINDS }
