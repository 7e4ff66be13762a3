/**
 * Shared vocabulary of the scene builders: what a place is made of (layers, zones) and the helpers
 * every kind of place uses (sky, colour ranges).
 *
 * Frame: scene units, 1 = image height; v = 0 is the top of a neutral camera view, v = 1 its bottom.
 */
import type { Rng } from './rng'
import { box, type Shape } from './shapes'
import { hsv, type Paint } from './textures'

export const SCENE_KINDS = ['indoor', 'street', 'park', 'waterside'] as const
export type SceneKind = (typeof SCENE_KINDS)[number]

export interface Layer {
  shape: Shape
  paint: Paint
}

export interface Zone {
  v0: number
  v1: number
}

export interface Place {
  kind: SceneKind
  /** Short human description for the manifest ("indoor: stripes wall, planks floor"). */
  label: string
  /** Background layers, back to front. */
  layers: Layer[]
  /** Where the ground starts (wall/floor line, horizon), in scene v. */
  horizon: number
  /** Where ground objects may stand. */
  ground: Zone
  /** Where boats float (waterside only). */
  water: Zone | null
  /** Where birds may fly. */
  sky: Zone | null
  /** Illumination factor of the place. */
  light: number
}

export type PlaceStyle = 'source' | 'personal'

export const WIDE = 40 // "infinite" extent for base layers, in scene units

export const seedOf = (rng: Rng): number => rng.nextU32()

export function sky(rng: Rng, horizon: number): Layer {
  const top = hsv(rng.range(0.55, 0.62), rng.range(0.35, 0.6), rng.range(0.75, 0.95))
  const paint: Paint = rng.chance(0.5)
    ? {
        kind: 'gradient',
        top,
        bottom: hsv(0.58, rng.range(0.08, 0.2), rng.range(0.9, 1)),
        v0: -0.2,
        v1: horizon,
        seed: 0,
        grain: 0.01,
      }
    : {
        kind: 'blend',
        a: top,
        b: [240, 242, 245],
        size: rng.range(0.25, 0.45),
        threshold: rng.range(0.55, 0.68),
        edge: 5,
        seed: seedOf(rng),
        grain: 0.01,
      }
  return { shape: box(-WIDE, -WIDE, WIDE, horizon), paint }
}

/** Saturation range for wall/facade colours: a user's home may be bolder than the average photo. */
export function satRange(style: PlaceStyle): [number, number] {
  return style === 'source' ? [0.04, 0.35] : [0.15, 0.65]
}
