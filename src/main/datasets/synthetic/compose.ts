/**
 * Composition of one photo: which objects appear in a place, where they stand and how large they are.
 * Objects stand on the place's ground (boats on its water, some birds in its sky) and shrink towards
 * the horizon, so scale and position carry the same cues as in real photos.
 */
import type { Rng } from './rng'
import { CLASS_SPECS, SCENE_AFFINITY, SYNTH_CLASSES, type SynthClass } from './classes'
import { sampleLook, type Look } from './looks'
import { buildObject, type Built } from './objects'
import type { Place, Zone } from './scenes'

/** Camera of one shot of a place: pan (dx, dy in scene units), zoom, and exposure. */
export interface Camera {
  dx: number
  dy: number
  zoom: number
  light: number
}

export interface PlacedObject {
  cls: SynthClass
  look: Look
  built: Built
  /** Pixel position of the object's local origin (bottom centre). */
  x: number
  y: number
  /** Object height in pixels (1 local unit). */
  size: number
  /** +1 faces right, −1 faces left. */
  flip: 1 | -1
  /** True for objects on the ground (they cast a shadow). */
  grounded: boolean
}

export interface ImageSpec {
  width: number
  height: number
  place: Place
  camera: Camera
  /** Objects in drawing order, far to near. */
  objects: PlacedObject[]
}

/** A user's recurring object: this look, used for `share` of the objects of its class in the album. */
export interface Companion {
  look: Look
  share: number
}

export interface CompositionInput {
  place: Place
  camera: Camera
  width: number
  height: number
  classWeights: Readonly<Record<SynthClass, number>>
  companions: readonly Companion[]
  /** Smallest object height in pixels (keeps objects learnable at small sizes). */
  minObjectPx: number
}

/** Image row (pixel units, may be fractional) of scene row v under a camera. */
export function sceneToImageY(v: number, cam: Camera, height: number): number {
  return ((v - 0.5 - cam.dy) * cam.zoom + 0.5) * height
}

const OBJECT_COUNT_WEIGHTS = [0.42, 0.3, 0.18, 0.1]

const builtCache = new WeakMap<Look, Built>()
function built(look: Look): Built {
  let b = builtCache.get(look)
  if (!b) {
    b = buildObject(look)
    builtCache.set(look, b)
  }
  return b
}

export function composeObjects(rng: Rng, input: CompositionInput): PlacedObject[] {
  const { place } = input
  const affinity = SCENE_AFFINITY[place.kind]
  let weights = SYNTH_CLASSES.map((c) => input.classWeights[c] * (affinity[c] ?? 0))
  // A user whose classes never occur in this kind of place still photographs people there.
  if (!weights.some((w) => w > 0)) weights = SYNTH_CLASSES.map((c) => (c === 'person' ? 1 : 0))
  const count = 1 + rng.weightedIndex(OBJECT_COUNT_WEIGHTS)
  const used = new Set<Look>()
  const objects: PlacedObject[] = []
  for (let i = 0; i < count; i++) {
    const cls = SYNTH_CLASSES[rng.weightedIndex(weights)]!
    const companion = input.companions.find((c) => c.look.cls === cls && !used.has(c.look))
    let look =
      companion && rng.chance(companion.share)
        ? companion.look
        : sampleLook(cls, rng.fork('look', i), 'source')
    used.add(look)
    const zone = chooseZone(rng, cls, place)
    if (cls === 'bird') {
      // Birds in the sky fly, birds on the ground perch: the variant follows the placement.
      const flying = zone === place.sky
      if ((look.variant === 1) !== flying) look = { ...look, variant: flying ? 1 : 0 }
    }
    objects.push(placeObject(rng, input, cls, look, zone))
  }
  // Painter's order: farther (higher in the image) first; flying birds by their own depth too.
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => a.o.y - b.o.y || a.i - b.i)
    .map((e) => e.o)
}

function chooseZone(rng: Rng, cls: SynthClass, place: Place): Zone {
  const placement = CLASS_SPECS[cls].placement
  if (placement === 'water' && place.water) return place.water
  if (placement === 'groundOrSky' && place.sky && rng.chance(0.4)) return place.sky
  return place.ground
}

function placeObject(
  rng: Rng,
  input: CompositionInput,
  cls: SynthClass,
  look: Look,
  zone: Zone,
): PlacedObject {
  const { place, camera, width, height } = input
  const b = built(look)
  const v = rng.range(zone.v0, zone.v1)
  const inSky = zone === place.sky
  const depth = inSky
    ? rng.range(0.6, 1.2)
    : 0.55 + 0.95 * Math.min(1, Math.max(0, (v - place.horizon) / (1 - place.horizon)))
  const rel = inSky ? 0.11 : CLASS_SPECS[cls].height
  let size = height * camera.zoom * rel * depth * rng.range(0.85, 1.15)
  size = Math.min(Math.max(size, input.minObjectPx * CLASS_SPECS[cls].minSizeFactor), height * 0.92)
  const boxW = (b.box.x1 - b.box.x0) * size
  // Keep most of the object inside the frame: VOC objects are often cut at the border, rarely mostly.
  const margin = Math.min(0.35 * boxW, width / 2)
  const cx = rng.range(margin, Math.max(margin, width - margin))
  const flip: 1 | -1 = rng.chance(0.5) ? 1 : -1
  const x = cx - ((b.box.x0 + b.box.x1) / 2) * size * flip
  let y = sceneToImageY(v, camera, height)
  // The whole object must stay within the image height band (tall objects near the top of a zone).
  y = Math.min(Math.max(y, size * -b.box.y0 * 0.9), height * 0.995)
  return { cls, look, built: b, x, y, size, flip, grounded: !inSky && zone !== place.water }
}
