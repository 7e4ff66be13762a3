/**
 * The VOC classes the synthetic benchmark draws, with the statistics that shape the data: how often each
 * appears in the public (source) set — long-tailed like VOC, "person" dominating — how large it is in a
 * photo, where it stands, and in which kinds of scene it occurs.
 */
import { VOC_CLASSES, type VocClassName } from '../../../shared/voc'
import type { SceneKind } from './scenes'

/** Twelve of VOC's twenty classes: enough variety to be a real task, few enough to learn at small sizes. */
export const SYNTH_CLASSES = [
  'person',
  'car',
  'dog',
  'cat',
  'chair',
  'bird',
  'bottle',
  'tvmonitor',
  'pottedplant',
  'boat',
  'horse',
  'sofa',
] as const satisfies readonly VocClassName[]

export type SynthClass = (typeof SYNTH_CLASSES)[number]

/** Where an object of the class is put: on the ground, on water, or either on the ground or in the sky. */
export type Placement = 'ground' | 'water' | 'groundOrSky'

export interface ClassSpec {
  /** VOC id (1–20). */
  id: number
  /** Relative frequency of objects of this class in the source set. */
  sourceWeight: number
  /** Height as a fraction of the image height at middle depth (scaled by perspective). */
  height: number
  placement: Placement
  /** How likely the class is to be a user's recurring object ("my dog", "my car"). */
  companionWeight: number
  /**
   * Minimum height as a multiple of the preset's minimum object size: classes built from thin parts
   * (chair legs and slats, bottle necks) need more pixels to survive the 255 boundary band.
   */
  minSizeFactor: number
}

export const CLASS_SPECS: Record<SynthClass, ClassSpec> = {
  person: {
    id: 15,
    sourceWeight: 30,
    height: 0.5,
    placement: 'ground',
    companionWeight: 2,
    minSizeFactor: 1,
  },
  car: { id: 7, sourceWeight: 11, height: 0.24, placement: 'ground', companionWeight: 2, minSizeFactor: 1 },
  dog: {
    id: 12,
    sourceWeight: 10,
    height: 0.25,
    placement: 'ground',
    companionWeight: 2.5,
    minSizeFactor: 1,
  },
  cat: { id: 8, sourceWeight: 9, height: 0.23, placement: 'ground', companionWeight: 2.5, minSizeFactor: 1 },
  chair: {
    id: 9,
    sourceWeight: 8,
    height: 0.33,
    placement: 'ground',
    companionWeight: 0.3,
    minSizeFactor: 1.8,
  },
  bird: {
    id: 3,
    sourceWeight: 7,
    height: 0.14,
    placement: 'groundOrSky',
    companionWeight: 1,
    minSizeFactor: 1.2,
  },
  bottle: {
    id: 5,
    sourceWeight: 6,
    height: 0.2,
    placement: 'ground',
    companionWeight: 0.3,
    minSizeFactor: 1.4,
  },
  tvmonitor: {
    id: 20,
    sourceWeight: 5,
    height: 0.25,
    placement: 'ground',
    companionWeight: 0.5,
    minSizeFactor: 1,
  },
  pottedplant: {
    id: 16,
    sourceWeight: 4.5,
    height: 0.3,
    placement: 'ground',
    companionWeight: 0.7,
    minSizeFactor: 1.2,
  },
  boat: { id: 4, sourceWeight: 4, height: 0.28, placement: 'water', companionWeight: 1, minSizeFactor: 1.2 },
  horse: {
    id: 13,
    sourceWeight: 3,
    height: 0.42,
    placement: 'ground',
    companionWeight: 1,
    minSizeFactor: 1.2,
  },
  sofa: {
    id: 18,
    sourceWeight: 2.5,
    height: 0.3,
    placement: 'ground',
    companionWeight: 0.5,
    minSizeFactor: 1,
  },
}

/** How plausible a class is in each kind of scene (multiplies the class frequency; 0 = never). */
export const SCENE_AFFINITY: Record<SceneKind, Partial<Record<SynthClass, number>>> = {
  indoor: {
    person: 1,
    cat: 1.1,
    dog: 0.8,
    chair: 1.3,
    bottle: 1.2,
    tvmonitor: 1.6,
    pottedplant: 1.3,
    sofa: 1.8,
    bird: 0.1,
  },
  street: {
    person: 1,
    car: 1.8,
    dog: 0.5,
    cat: 0.3,
    bird: 0.5,
    bottle: 0.3,
    chair: 0.2,
    pottedplant: 0.3,
    horse: 0.2,
  },
  park: { person: 1, dog: 1.1, horse: 1.5, bird: 1.1, cat: 0.3, chair: 0.3, bottle: 0.2, car: 0.2 },
  waterside: { boat: 2.5, bird: 1.2, person: 1, dog: 0.5, bottle: 0.3, chair: 0.2, horse: 0.15 },
}

export function classId(c: SynthClass): number {
  return CLASS_SPECS[c].id
}

export function className(id: number): VocClassName {
  const name = VOC_CLASSES[id]
  if (name === undefined) throw new Error(`no VOC class with id ${id}`)
  return name
}

/** Source-set class weights as a plain record (the baseline every user's frequencies differ from). */
export function sourceClassWeights(): Record<SynthClass, number> {
  const out = {} as Record<SynthClass, number>
  for (const c of SYNTH_CLASSES) out[c] = CLASS_SPECS[c].sourceWeight
  return out
}
