/**
 * The adaptation methods as run types, as data (docs/method.md §4, §5, §7): each kind has a zod schema whose
 * defaults are the published settings (loss weights, optimisers, learning rates), so the studio can list
 * the methods with their defaults and validate a run request with a message naming every bad field.
 *
 * Shared by every kind: the segmenter's SGD (lr 2.5e-3 as in the PSS code, momentum 0.9, weight decay
 * 5e-4, poly power 0.9) and the source cross-entropy (main + `sourceAux`·aux, ignore 255). Kinds with
 * discriminators add their Adam (lr 1e-4, betas 0.9/0.99).
 */
import { z } from 'zod'

export const METHOD_KINDS = [
  'noda',
  'bn-only',
  'minent',
  'advent',
  'adaptseg',
  'maxsquare',
  'fda',
  'mrnet',
  'pss-s1',
  'pss-s2',
] as const
export type MethodKind = (typeof METHOD_KINDS)[number]

export function isMethodKind(x: unknown): x is MethodKind {
  return typeof x === 'string' && (METHOD_KINDS as readonly string[]).includes(x)
}

const weight = z.number().min(0).max(100)

export const SegOptimizerSchema = z
  .object({
    lr: z.number().positive().max(10).default(2.5e-3),
    momentum: z.number().min(0).max(1).default(0.9),
    weightDecay: z.number().min(0).max(1).default(5e-4),
    /** Poly schedule power: lr · (1 − it/max)^power. */
    polyPower: z.number().min(0).max(10).default(0.9),
    /**
     * The schedule's `max` (ADVENT's MAX_ITERS); default: the run's steps (the lr decays to 0 at the end).
     * Larger than the steps, the run stops before the lr decays (ADVENT: 250k max, stopped at 120k).
     */
    polyMax: z.number().int().positive().optional(),
  })
  .strict()

export const DOptimizerSchema = z
  .object({
    lr: z.number().positive().max(10).default(1e-4),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.99),
  })
  .strict()

const common = {
  seg: SegOptimizerSchema.default(SegOptimizerSchema.parse({})),
  /** Weight of the aux head's source cross-entropy (the PSP network: 0.4). */
  sourceAux: weight.default(0.4),
}

const dOpt = { d: DOptimizerSchema.default(DOptimizerSchema.parse({})) }

/** Pseudo-label selection (docs/method.md §5): `pixel` = the paper, `image` = the released code. */
export const PseudoLabelSchema = z
  .object({
    mode: z.enum(['pixel', 'image']).default('pixel'),
    /** pixel: share of pixels kept (lowest entropy); image: share of images kept (lowest mean entropy). */
    rate: z.number().gt(0).max(1).optional(),
    /** pixel mode only: rank pixels within each predicted class instead of over the whole album. */
    perClass: z.boolean().default(false),
  })
  .strict()
export type PseudoLabelConfig = z.infer<typeof PseudoLabelSchema>

/** The rate a pseudo-label config uses (paper r = 0.5 for pixels; code 0.6 for images). */
export function pseudoRate(p: PseudoLabelConfig): number {
  return p.rate ?? (p.mode === 'pixel' ? 0.5 : 0.6)
}

const pseudo = {
  pseudo: PseudoLabelSchema.default(PseudoLabelSchema.parse({})),
}

export const NodaMethodSchema = z.object({ kind: z.literal('noda'), ...common }).strict()

/**
 * The BatchNorm-only control (docs/method.md §10): source CE as in every DA row, and the album batches go
 * through the network in training mode — so BatchNorm re-estimates its statistics on them (AdaBN-style) —
 * with zero target loss. Whatever a DA row gains beyond this control is its target loss's doing.
 */
export const BnOnlyMethodSchema = z.object({ kind: z.literal('bn-only'), ...common }).strict()

/** ADVENT MinEnt: mean normalised entropy of the target predictions, 0.001 (main) and 0.0002 (aux). */
export const MinEntMethodSchema = z
  .object({
    kind: z.literal('minent'),
    ...common,
    entMain: weight.default(0.001),
    entAux: weight.default(0.0002),
  })
  .strict()

const adventWeights = {
  advMain: weight.default(0.001),
  advAux: weight.default(0.0002),
}

/** ADVENT AdvEnt (docs/method.md §4): discriminators on the weighted self-information maps. */
export const AdventMethodSchema = z
  .object({ kind: z.literal('advent'), ...common, ...dOpt, ...adventWeights })
  .strict()

/** AdaptSeg: output-space adversarial (D on softmax probabilities); aux source CE weight 0.1. */
export const AdaptSegMethodSchema = z
  .object({
    kind: z.literal('adaptseg'),
    ...common,
    sourceAux: weight.default(0.1),
    ...dOpt,
    ...adventWeights,
  })
  .strict()

/** MaxSquare: −½·mean(p²) on target (or its image-wise weighted form), λ 0.1; aux term ×0.1. */
export const MaxSquareMethodSchema = z
  .object({
    kind: z.literal('maxsquare'),
    ...common,
    target: weight.default(0.1),
    /** Weight of the aux branch's "+Multi" guidance CE relative to the main term (the released lambda_seg). */
    targetAux: weight.default(0.1),
    imageWise: z.boolean().default(false),
    /** Image-wise weighting exponent α: weight 1/max(N_c^α · N^(1−α), 1). */
    alpha: z.number().min(0).max(1).default(0.2),
  })
  .strict()

/** FDA: low-frequency amplitude swap source ← target (β 0.01, at least one bin: fda.ts) + robust entropy (η 2, weight 0.005). */
export const FdaMethodSchema = z
  .object({
    kind: z.literal('fda'),
    ...common,
    beta: z.number().min(0).max(0.5).default(0.01),
    entWeight: weight.default(0.005),
    eta: z.number().min(0).max(10).default(2),
  })
  .strict()

/**
 * MRNet: memory regularisation KL(m‖p_main) + KL(m‖p_aux), m = softmax(0.5·aux + main) detached, λ 0.1.
 * Stage 2 (`stage: 2`, from a stage-1 run): rectified pseudo-label CE·exp(−KL) + KL, aux weight 0.5, with
 * the source CE kept (the album alone is small). Stage 1 also trains AdaptSeg's output-space discriminators
 * (`adversarial`, on by default): the released MRNet (Seg-Uncertainty train_ms.py) is AdaptSegNet plus the
 * memory term, and docs/method.md's baseline recipe keeps its adversarial branch.
 */
export const MrnetMethodSchema = z
  .object({
    kind: z.literal('mrnet'),
    ...common,
    stage: z.union([z.literal(1), z.literal(2)]).default(1),
    memory: weight.default(0.1),
    adversarial: z.boolean().default(true),
    ...dOpt,
    ...adventWeights,
    rectifiedAux: weight.default(0.5),
    ...pseudo,
  })
  .strict()

/** OURS stage 1: AdvEnt with the group context module on and grouped batches. */
export const PssS1MethodSchema = z
  .object({ kind: z.literal('pss-s1'), ...common, ...dOpt, ...adventWeights })
  .strict()

/**
 * OURS stage 2: the stage-1 objective plus L_pse = 1.0·CE(main, ŷ) + 0.4·CE(aux, ŷ) on a grouped
 * pseudo-label batch every `pseudoEvery`-th iteration, from the stage-1 weights.
 */
export const PssS2MethodSchema = z
  .object({
    kind: z.literal('pss-s2'),
    ...common,
    ...dOpt,
    ...adventWeights,
    pseMain: weight.default(1.0),
    pseAux: weight.default(0.4),
    pseudoEvery: z.number().int().min(1).max(1000).default(2),
    ...pseudo,
  })
  .strict()

export const MethodConfigSchema = z.discriminatedUnion(
  'kind',
  [
    NodaMethodSchema,
    BnOnlyMethodSchema,
    MinEntMethodSchema,
    AdventMethodSchema,
    AdaptSegMethodSchema,
    MaxSquareMethodSchema,
    FdaMethodSchema,
    MrnetMethodSchema,
    PssS1MethodSchema,
    PssS2MethodSchema,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `kind must be one of: ${METHOD_KINDS.join(', ')}` : undefined,
  },
)

export type MethodConfig = z.infer<typeof MethodConfigSchema>
export type MethodConfigInput = z.input<typeof MethodConfigSchema>
export type MethodOf<K extends MethodKind> = Extract<MethodConfig, { kind: K }>

export class MethodConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid method config: ${issues.join('; ')}`)
    this.name = 'MethodConfigError'
  }
}

export function parseMethodConfig(raw: unknown): MethodConfig {
  const r = MethodConfigSchema.safeParse(raw)
  if (!r.success) {
    throw new MethodConfigError(
      r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
    )
  }
  return r.data
}

/** The defaults of a kind (every field filled). */
export function methodDefaults<K extends MethodKind>(kind: K): MethodOf<K> {
  return parseMethodConfig({ kind }) as MethodOf<K>
}

/** What a run of this kind needs besides the source set. */
export interface MethodInfo {
  kind: MethodKind
  title: string
  summary: string
  /** Unlabelled target (album) batches. */
  usesTarget: boolean
  /** Domain discriminators (main + aux) with their Adam optimisers. */
  usesDiscriminators: boolean
  /** The group context module and grouped batches (the PSS method). */
  groupContext: boolean
  /** Starts from a stage-1 run and trains on its pseudo labels. */
  needsStage1: boolean
  defaults: MethodConfig
}

const INFO: Record<MethodKind, Omit<MethodInfo, 'kind' | 'defaults'>> = {
  noda: {
    title: 'No-DA',
    summary: 'source cross-entropy only',
    usesTarget: false,
    usesDiscriminators: false,
    groupContext: false,
    needsStage1: false,
  },
  'bn-only': {
    title: 'BN-only (control)',
    summary:
      'source cross-entropy; album batches only re-estimate the BatchNorm statistics (zero target loss)',
    usesTarget: true,
    usesDiscriminators: false,
    groupContext: false,
    needsStage1: false,
  },
  minent: {
    title: 'ADVENT MinEnt',
    summary: 'entropy minimisation on the album',
    usesTarget: true,
    usesDiscriminators: false,
    groupContext: false,
    needsStage1: false,
  },
  advent: {
    title: 'ADVENT AdvEnt',
    summary: 'adversarial alignment of entropy maps',
    usesTarget: true,
    usesDiscriminators: true,
    groupContext: false,
    needsStage1: false,
  },
  adaptseg: {
    title: 'AdaptSeg',
    summary: 'output-space adversarial alignment (D on softmax)',
    usesTarget: true,
    usesDiscriminators: true,
    groupContext: false,
    needsStage1: false,
  },
  maxsquare: {
    title: 'MaxSquare',
    summary: 'maximum squares loss on the album (optional image-wise weighting)',
    usesTarget: true,
    usesDiscriminators: false,
    groupContext: false,
    needsStage1: false,
  },
  fda: {
    title: 'FDA',
    summary: 'low-frequency amplitude swap of source images + robust entropy',
    usesTarget: true,
    usesDiscriminators: false,
    groupContext: false,
    needsStage1: false,
  },
  mrnet: {
    title: 'MRNet',
    summary: 'memory regularisation; stage 2: rectified pseudo labels',
    usesTarget: true,
    usesDiscriminators: false,
    groupContext: false,
    needsStage1: false,
  },
  'pss-s1': {
    title: 'OURS stage 1',
    summary: 'AdvEnt with the group context module on grouped batches',
    usesTarget: true,
    usesDiscriminators: true,
    groupContext: true,
    needsStage1: false,
  },
  'pss-s2': {
    title: 'OURS stage 2',
    summary: 'stage-1 objective + entropy-selected pseudo labels, from the stage-1 weights',
    usesTarget: true,
    usesDiscriminators: true,
    groupContext: true,
    needsStage1: true,
  },
}

/** Whether a parsed config (not just its kind) uses discriminators / needs a stage-1 run. */
export function configUsesDiscriminators(m: MethodConfig): boolean {
  return m.kind === 'mrnet' ? m.stage === 1 && m.adversarial : INFO[m.kind].usesDiscriminators
}

export function configNeedsStage1(m: MethodConfig): boolean {
  return m.kind === 'mrnet' ? m.stage === 2 : INFO[m.kind].needsStage1
}

export function methodInfo(kind: MethodKind): MethodInfo {
  return { kind, ...INFO[kind], defaults: methodDefaults(kind) }
}

export function listMethods(): MethodInfo[] {
  return METHOD_KINDS.map(methodInfo)
}
