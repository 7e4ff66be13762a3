/**
 * Model configuration as data: a run's JSON names the backbone and heads; `parseSegNetConfig` validates it
 * into a fully defaulted copy, and errors say what was given and what is allowed.
 */
import { z } from 'zod'

export const BACKBONE_KINDS = ['resnet-compact', 'resnet50-dilated', 'vgg16-bn'] as const
export type BackboneKind = (typeof BACKBONE_KINDS)[number]

const width = z.union([z.literal(16), z.literal(32)], { error: 'width must be 16 or 32' })

export const CompactBackboneSchema = z
  .object({
    kind: z.literal('resnet-compact'),
    /** Channels of the stem; stages use ×2, ×4, ×4, ×8. */
    width: width.default(16),
  })
  .strict()

/** The paper's backbone: Keras ResNet-50 dilated to output stride 8 (ImageNet weights load by name). */
export const Resnet50BackboneSchema = z
  .object({
    kind: z.literal('resnet50-dilated'),
  })
  .strict()

/** The paper's second backbone: VGG-16 with BN after every conv, output stride 8 (see vgg16.ts). */
export const Vgg16BnBackboneSchema = z
  .object({
    kind: z.literal('vgg16-bn'),
  })
  .strict()

export const BackboneSchema = z.discriminatedUnion(
  'kind',
  [CompactBackboneSchema, Resnet50BackboneSchema, Vgg16BnBackboneSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `kind must be one of: ${BACKBONE_KINDS.join(', ')}` : undefined,
  },
)

const bin = z.number().int().min(1).max(16)

export const CONTEXT_VARIANTS = ['none', 'global', 'ours'] as const
export type ContextVariant = (typeof CONTEXT_VARIANTS)[number]
export const CONTEXT_LAYOUTS = ['transpose', 'released'] as const
export type ContextLayout = (typeof CONTEXT_LAYOUTS)[number]
export const CONTEXT_FUSIONS = ['replace', 'residual'] as const
export type ContextFusion = (typeof CONTEXT_FUSIONS)[number]

/**
 * The group context module between the PSP output and the main classifier (docs/method.md §3; see
 * group-context.ts). Absent = variant 'none': the network is exactly the one without the module (no extra
 * parameters), so configs and checkpoints written before the module existed keep their meaning.
 */
export const ContextConfigSchema = z
  .object({
    /** 'none' (no module), 'global' (one pooled group vector per batch), 'ours' (regional group context). */
    variant: z
      .enum(CONTEXT_VARIANTS, { error: `variant must be one of: ${CONTEXT_VARIANTS.join(', ')}` })
      .default('none'),
    /**
     * How the B·K group region matrix is built: 'transpose' (correct, default) or 'released' (the authors'
     * raw reshape that scrambles channels across regions; only to load their released weights).
     */
    layout: z
      .enum(CONTEXT_LAYOUTS, { error: `layout must be one of: ${CONTEXT_LAYOUTS.join(', ')}` })
      .default('transpose'),
    /** Intra-image context branch (the released code has it; the paper's text does not). */
    intra: z.boolean().default(true),
    /**
     * How the module's output reaches the classifier (group-context.ts): 'replace' = the released code's
     * ψ([ctx, X]) in place of X; 'residual' = X + ψ'([ctx, X]) with ψ' ending in a zero-initialised BN, so
     * a new module starts as the identity (issue 13). Absent = 'replace', what every checkpoint written
     * before this option holds; the two use different parameter names, so neither loads as the other.
     */
    fusion: z
      .enum(CONTEXT_FUSIONS, { error: `fusion must be one of: ${CONTEXT_FUSIONS.join(', ')}` })
      .default('replace'),
  })
  .strict()
export type ContextConfig = z.infer<typeof ContextConfigSchema>

/** The effective context config of a model config (absent = variant 'none'). */
export function contextOf(config: { context?: ContextConfig | undefined }): ContextConfig {
  return config.context ?? { variant: 'none', layout: 'transpose', intra: true, fusion: 'replace' }
}

export const SegNetConfigSchema = z
  .object({
    backbone: BackboneSchema.default({ kind: 'resnet-compact', width: 16 }),
    numClasses: z.number().int().min(2).max(255).default(21),
    psp: z
      .object({
        bins: z.array(bin).min(1).max(6).default([1, 2, 3, 6]),
        /** Output channels of the PSP bottleneck; default: 4×width (compact) or 512 (ResNet-50, VGG-16-BN). */
        channels: z.number().int().min(8).max(2048).optional(),
      })
      .strict()
      .default({ bins: [1, 2, 3, 6] }),
    /** Aux head on the stride-8 stage before the last (paper: on layer3). */
    aux: z.boolean().default(true),
    /** Group context module; absent means variant 'none' (see ContextConfigSchema). */
    context: ContextConfigSchema.optional(),
    /** Seed for the initial weights. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
  })
  .strict()

export type SegNetConfig = z.infer<typeof SegNetConfigSchema>
export type SegNetConfigInput = z.input<typeof SegNetConfigSchema>

export const DiscriminatorConfigSchema = z
  .object({
    /** Channels of the first conv; ADVENT uses 64 (64→128→256→512→1). */
    ndf: z.number().int().min(4).max(128).default(64),
    leakySlope: z.number().min(0).max(1).default(0.2),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
  })
  .strict()

export type DiscriminatorConfig = z.infer<typeof DiscriminatorConfigSchema>

export class ConfigError extends Error {
  constructor(
    readonly what: string,
    readonly issues: string[],
  ) {
    super(`Invalid ${what} config: ${issues.join('; ')}`)
    this.name = 'ConfigError'
  }
}

function issuesOf(e: z.ZodError): string[] {
  return e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
}

export function parseSegNetConfig(raw: unknown): SegNetConfig {
  const r = SegNetConfigSchema.safeParse(raw ?? {})
  if (!r.success) throw new ConfigError('segmentation model', issuesOf(r.error))
  const contextIssue = contextAuxIssue(r.data)
  if (contextIssue) throw new ConfigError('segmentation model', [contextIssue])
  return r.data
}

/** The group context's soft regions come from the aux logits: a context variant without aux is refused. */
export function contextAuxIssue(c: Pick<SegNetConfig, 'aux' | 'context'>): string | null {
  const variant = contextOf(c).variant
  if (variant === 'none' || c.aux) return null
  return `context.variant: '${variant}' needs the aux head (its logits define the soft regions); set aux to true or context.variant to 'none'`
}

export function parseDiscriminatorConfig(raw: unknown): DiscriminatorConfig {
  const r = DiscriminatorConfigSchema.safeParse(raw ?? {})
  if (!r.success) throw new ConfigError('discriminator', issuesOf(r.error))
  return r.data
}
