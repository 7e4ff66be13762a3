/**
 * Backgrounds. A "place" is a fixed scene layout — wall and floor, street with buildings, park, or
 * waterside — with its own textures and decor. Source images each get a fresh place; a user has a few
 * places that recur across the album (home, the park nearby...), photographed with small camera changes.
 * Those recurring places are the album's natural clusters.
 */
import type { Rng } from './rng'
import { type Place, type PlaceStyle, type SceneKind } from './scene-kit'
import { indoor } from './scenes-indoor'
import { park, street, waterside } from './scenes-outdoor'

export { SCENE_KINDS, type Layer, type Place, type PlaceStyle, type SceneKind, type Zone } from './scene-kit'

function exhaustive(x: never): never {
  throw new Error(`unhandled scene kind ${String(x)}`)
}

export function samplePlace(kind: SceneKind, rng: Rng, style: PlaceStyle): Place {
  switch (kind) {
    case 'indoor':
      return indoor(rng, style)
    case 'street':
      return street(rng, style)
    case 'park':
      return park(rng, style)
    case 'waterside':
      return waterside(rng, style)
    default:
      return exhaustive(kind)
  }
}
