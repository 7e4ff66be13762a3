/**
 * manifest.json: what was generated and how — seed, preset, counts, and each user's traits — so a
 * report can explain a result ("user 3's album has a strong blue cast and a recurring purple dog").
 * It holds no timestamps or paths, so two runs with the same seed and preset write identical bytes.
 */
import type { VocClassName } from '../../../shared/voc'
import { CLASS_SPECS, className, SYNTH_CLASSES, type SynthClass } from './classes'
import { hexColor } from './looks'
import type { BenchmarkPlan, UserPlan } from './plan'
import type { PresetName } from './presets'
import type { SceneKind } from './scenes'
import { VOC_ROOT, OUTPUT_ENTRIES } from './writer'

export const MANIFEST_FORMAT = 'pss-synthetic-benchmark'
export const MANIFEST_VERSION = 1

export interface ManifestPlace {
  group: number
  kind: SceneKind
  label: string
  images: number
  validation: number
}

export interface ManifestRecurringObject {
  class: VocClassName
  pattern: string
  colors: string[]
  /** Share of this class's objects in the album that are this instance. */
  share: number
}

export interface ManifestUser {
  id: string
  images: number
  validation: number
  /** The generator's own scene groups, in PIS cluster-file format. */
  clusterFile: string
  groups: number
  /** Classes present in at least one image of the album (from the rendered masks). */
  classesUsed: VocClassName[]
  /** Images containing each class (image-level tags, as in imgLabelList.txt). */
  classImageCounts: Partial<Record<VocClassName, number>>
  traits: {
    colour: { gains: [number, number, number]; saturation: number; contrast: number; brightness: number }
    blurSigma: number
    noiseSigma: number
    jpegQuality: number
    places: ManifestPlace[]
    recurringObjects: ManifestRecurringObject[]
    /** The user's class frequencies (normalised; 0 = class never photographed by this user). */
    classWeights: Partial<Record<VocClassName, number>>
  }
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT
  version: typeof MANIFEST_VERSION
  seed: number
  preset: PresetName
  layout: { voc: string; personal: string }
  /** Classes the generator can draw (VOC names, id order). */
  classes: VocClassName[]
  counts: {
    sourceImages: number
    sourceTrain: number
    sourceVal: number
    users: number
    albumImages: number
    albumValidation: number
  }
  source: {
    classImageCounts: Partial<Record<VocClassName, number>>
    classWeights: Partial<Record<VocClassName, number>>
  }
  users: ManifestUser[]
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4

function normalisedWeights(w: Readonly<Record<SynthClass, number>>): Partial<Record<VocClassName, number>> {
  const total = SYNTH_CLASSES.reduce((a, c) => a + w[c], 0)
  const out: Partial<Record<VocClassName, number>> = {}
  for (const c of sortedClasses()) out[c] = r4(w[c] / total)
  return out
}

function sortedClasses(): SynthClass[] {
  return [...SYNTH_CLASSES].sort((a, b) => CLASS_SPECS[a].id - CLASS_SPECS[b].id)
}

/** Image counts per class from per-image class-id lists, keys in VOC id order. */
export function classImageCounts(
  tags: readonly (readonly number[])[],
): Partial<Record<VocClassName, number>> {
  const counts = new Map<number, number>()
  for (const t of tags) for (const id of t) counts.set(id, (counts.get(id) ?? 0) + 1)
  const out: Partial<Record<VocClassName, number>> = {}
  for (const id of [...counts.keys()].sort((a, b) => a - b)) out[className(id)] = counts.get(id)!
  return out
}

export function clusterFileName(user: UserPlan): string {
  return `train_cluster${user.traits.places.length}.txt`
}

/** Builds the manifest from the plan and the class ids found in each rendered image. */
export function buildManifest(
  plan: BenchmarkPlan,
  sourceTags: readonly number[][],
  userTags: readonly number[][][],
): Manifest {
  const users: ManifestUser[] = plan.users.map((u, k) => {
    const tags = userTags[k] ?? []
    const s = u.traits.shift
    const places: ManifestPlace[] = u.traits.places.map((p, g) => ({
      group: g,
      kind: p.kind,
      label: p.label,
      images: u.images.filter((i) => i.group === g).length,
      validation: u.images.filter((i) => i.group === g && i.labelled).length,
    }))
    const counts = classImageCounts(tags)
    return {
      id: u.id,
      images: u.images.length,
      validation: u.images.filter((i) => i.labelled).length,
      clusterFile: clusterFileName(u),
      groups: u.traits.places.length,
      classesUsed: Object.keys(counts) as VocClassName[],
      classImageCounts: counts,
      traits: {
        colour: {
          gains: [r4(s.gains[0]), r4(s.gains[1]), r4(s.gains[2])],
          saturation: r4(s.saturation),
          contrast: r4(s.contrast),
          brightness: r4(s.brightness),
        },
        blurSigma: r4(s.blurSigma),
        noiseSigma: r4(s.noiseSigma),
        jpegQuality: u.traits.jpegQuality,
        places,
        recurringObjects: u.traits.companions.map((c) => ({
          class: className(CLASS_SPECS[c.look.cls].id),
          pattern: c.look.pattern,
          colors: c.look.colors.map(hexColor),
          share: r4(c.share),
        })),
        classWeights: normalisedWeights(u.traits.classWeights),
      },
    }
  })
  const sourceVal = plan.source.valNames.size
  const sourceWeights = {} as Record<SynthClass, number>
  for (const c of SYNTH_CLASSES) sourceWeights[c] = CLASS_SPECS[c].sourceWeight
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    seed: plan.seed,
    preset: plan.preset.name,
    layout: { voc: VOC_ROOT, personal: OUTPUT_ENTRIES.personal },
    classes: sortedClasses().map((c) => className(CLASS_SPECS[c].id)),
    counts: {
      sourceImages: plan.source.images.length,
      sourceTrain: plan.source.images.length - sourceVal,
      sourceVal,
      users: users.length,
      albumImages: users.reduce((a, u) => a + u.images, 0),
      albumValidation: users.reduce((a, u) => a + u.validation, 0),
    },
    source: {
      classImageCounts: classImageCounts(sourceTags),
      classWeights: normalisedWeights(sourceWeights),
    },
    users,
  }
}
