/**
 * The studio's methods, declared once (plain data: the renderer, the CLI, the app and the engine all read
 * this table). A studio method is what a user picks for an album run; the training it does is made of
 * registry stages (engine/methods/registry.ts: one zod config schema per kind, defaults = the published
 * settings) run in chain order. tests/unit/engine/method-table.test.ts checks every stage against
 * the registry and every flag below against what the registry and the engine say, so a typo fails there.
 *
 * Step kinds (what the run plan does between the source model and the album prediction):
 *   none       the source model predicts as it is (No-DA);
 *   adapt      the registry stages in `stages`, each from the previous one's weights, the first from the
 *              source model (engine/pipelines/project-adapt.ts);
 *   segsort    SegSort's embedding network, labels by k-NN against a memory bank;
 *   coseg-st   fine-tuning on the source set plus the album's tag co-segmentation proposals.
 */

export type MethodStepKind = 'none' | 'adapt' | 'segsort' | 'coseg-st'

/** One adaptation stage of a studio method. */
export interface MethodStage {
  /** Its folder under <run>/adapt/ and its name in records ('advent', 'mrnet-s1', 'pss-s2'). */
  readonly name: string
  /** The registry config the stage trains: a METHOD_KINDS kind plus the fields the studio method fixes. */
  readonly config: { readonly kind: string; readonly stage?: 1 | 2 }
}

export interface StudioMethod {
  /** The name people read in the run form and the run record. */
  readonly label: string
  /** The paper-table name (run names: "Personalize #6 — OURS-S2"). */
  readonly short: string
  readonly summary: string
  readonly step: MethodStepKind
  /** Registry stages in chain order (step 'adapt' only; empty otherwise). */
  readonly stages: readonly MethodStage[]
  /** The group context module: the album's images need groups (a clustering), made first when missing. */
  readonly groupContext: boolean
  /** Cannot run without an aux head (its terms or its context regions are made of the aux output). */
  readonly auxHead: boolean
  /** Trains domain discriminators with the default config. */
  readonly discriminators: boolean
  /** Trains on pseudo labels of the album (entropy-selected, rectified, or tag proposals). */
  readonly pseudoLabels: boolean
  /** Needs the project's labelled source set even when the run starts from an imported model. */
  readonly sourceSet: boolean
  /** Whether an imported torchvision model can start it: always, only with an aux head, or never. */
  readonly torchvision: 'yes' | 'with-aux' | 'no'
}

/** A one-stage adaptation method whose stage is the registry kind of the same name. */
const single = (kind: string): readonly MethodStage[] => [{ name: kind, config: { kind } }]

const ADAPT_DEFAULTS = {
  step: 'adapt',
  groupContext: false,
  auxHead: false,
  discriminators: false,
  pseudoLabels: false,
  sourceSet: true,
  torchvision: 'yes',
} as const

/** In the order the run form and the results tables list them. */
export const STUDIO_METHODS = {
  noda: {
    label: 'No-DA (source only)',
    short: 'No-DA',
    summary: 'the source model predicts the album as it is',
    step: 'none',
    stages: [],
    groupContext: false,
    auxHead: false,
    discriminators: false,
    pseudoLabels: false,
    sourceSet: false,
    torchvision: 'yes',
  },
  pss: {
    ...ADAPT_DEFAULTS,
    label: 'PSS (ours: stage 1 + 2)',
    short: 'OURS-S2',
    summary:
      "the paper: AdvEnt with group context over the album's clusters, then entropy-selected pseudo labels",
    stages: [
      { name: 'pss-s1', config: { kind: 'pss-s1' } },
      { name: 'pss-s2', config: { kind: 'pss-s2' } },
    ],
    groupContext: true,
    auxHead: true,
    discriminators: true,
    pseudoLabels: true,
    torchvision: 'no',
  },
  advent: {
    ...ADAPT_DEFAULTS,
    label: 'ADVENT (AdvEnt)',
    short: 'AdvEnt',
    summary: 'adversarial alignment of the entropy maps',
    stages: single('advent'),
    discriminators: true,
  },
  minent: {
    ...ADAPT_DEFAULTS,
    label: 'ADVENT (MinEnt)',
    short: 'MinEnt',
    summary: 'entropy minimisation on the album',
    stages: single('minent'),
  },
  'bn-only': {
    ...ADAPT_DEFAULTS,
    label: 'BN-only (control: no target loss)',
    short: 'BN-only',
    summary: 'control: album batches only re-estimate the BatchNorm statistics (zero target loss)',
    stages: single('bn-only'),
  },
  adaptseg: {
    ...ADAPT_DEFAULTS,
    label: 'AdaptSeg',
    short: 'AdaptSeg',
    summary: 'output-space adversarial alignment (discriminators on the softmax)',
    stages: single('adaptseg'),
    discriminators: true,
  },
  maxsquare: {
    ...ADAPT_DEFAULTS,
    label: 'MaxSquare',
    short: 'MaxSquare',
    summary: 'maximum squares loss on the album',
    stages: single('maxsquare'),
  },
  fda: {
    ...ADAPT_DEFAULTS,
    label: 'FDA',
    short: 'FDA',
    summary: 'low-frequency amplitude swap of the source images + robust entropy',
    stages: single('fda'),
  },
  mrnet: {
    ...ADAPT_DEFAULTS,
    label: 'MRNet',
    short: 'MRNet',
    summary: 'memory regularisation + output-space adversarial, then rectified pseudo labels',
    stages: [
      { name: 'mrnet-s1', config: { kind: 'mrnet', stage: 1 } },
      { name: 'mrnet-s2', config: { kind: 'mrnet', stage: 2 } },
    ],
    auxHead: true,
    discriminators: true,
    pseudoLabels: true,
    torchvision: 'with-aux',
  },
  segsort: {
    label: 'SegSort (embeddings + k-NN)',
    short: 'SegSort',
    summary: 'pixel embeddings; labels by k-NN against a memory bank of source segments',
    step: 'segsort',
    stages: [],
    groupContext: false,
    auxHead: false,
    discriminators: false,
    pseudoLabels: false,
    sourceSet: true,
    torchvision: 'no',
  },
  'coseg-st': {
    label: 'Tag proposals self-training',
    short: 'Tag self-training',
    summary: "fine-tunes on the source set plus the album's tag co-segmentation proposals",
    step: 'coseg-st',
    stages: [],
    groupContext: false,
    auxHead: false,
    discriminators: false,
    pseudoLabels: true,
    sourceSet: true,
    torchvision: 'no',
  },
} as const satisfies Record<string, StudioMethod>

export type StudioMethodName = keyof typeof STUDIO_METHODS

/** The studio methods whose step is `S` (e.g. the adaptive ones: 'adapt'). */
export type MethodsWithStep<S extends MethodStepKind> = {
  [K in StudioMethodName]: (typeof STUDIO_METHODS)[K]['step'] extends S ? K : never
}[StudioMethodName]

export const STUDIO_METHOD_NAMES = Object.keys(STUDIO_METHODS) as readonly StudioMethodName[]

export function isStudioMethod(m: string): m is StudioMethodName {
  return Object.hasOwn(STUDIO_METHODS, m)
}

export function studioMethod(m: StudioMethodName): StudioMethod {
  return STUDIO_METHODS[m]
}

/** The methods of one step kind, in table order. */
export function methodsWithStep<S extends MethodStepKind>(step: S): readonly MethodsWithStep<S>[] {
  return STUDIO_METHOD_NAMES.filter((m) => STUDIO_METHODS[m].step === step) as MethodsWithStep<S>[]
}
