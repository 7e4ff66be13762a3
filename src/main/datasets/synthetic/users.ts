/**
 * A user's personal traits — everything that makes their album differ from the public source set:
 * a fixed camera look (colour cast, saturation, contrast/brightness, blur, noise, JPEG quality), a few
 * recurring places, recurring objects with their own look, and their own long-tailed class frequencies.
 */
import type { Rng } from './rng'
import { CLASS_SPECS, SCENE_AFFINITY, SYNTH_CLASSES, type SynthClass } from './classes'
import type { Companion } from './compose'
import { sampleLook } from './looks'
import type { Preset } from './presets'
import { samplePlace, type Place, type SceneKind } from './scenes'
import type { Shift } from './shift'

export interface UserTraits {
  shift: Shift
  jpegQuality: number
  places: Place[]
  /** Relative share of the album taken at each place. */
  placeWeights: number[]
  companions: Companion[]
  /** Relative frequency of each class's objects in this album (0 = never photographed). */
  classWeights: Record<SynthClass, number>
}

const PLACE_KIND_WEIGHTS: Record<SceneKind, number> = {
  indoor: 0.3,
  street: 0.25,
  park: 0.3,
  waterside: 0.15,
}
const KINDS = Object.keys(PLACE_KIND_WEIGHTS) as SceneKind[]

export function sampleUserTraits(rng: Rng, preset: Preset): UserTraits {
  const shift = sampleUserShift(rng.fork('shift'), preset)
  const jpegQuality = rng.fork('jpeg').int(55, 92)

  const placeRng = rng.fork('places')
  const nPlaces = placeRng.int(preset.places[0], preset.places[1])
  const places: Place[] = []
  for (let k = 0; k < nPlaces; k++) {
    // Most people photograph their home most: place 0 is usually indoors.
    const kind =
      k === 0 && placeRng.chance(0.8)
        ? 'indoor'
        : KINDS[placeRng.weightedIndex(KINDS.map((x) => PLACE_KIND_WEIGHTS[x]))]!
    places.push(samplePlace(kind, placeRng.fork('place', k), 'personal'))
  }
  // Long tail over places too: the first place gets the most photos.
  const placeWeights = places.map((_, k) => 1 / Math.pow(k + 1, 0.7))

  const companionRng = rng.fork('companions')
  const reachable = SYNTH_CLASSES.filter((c) => places.some((p) => (SCENE_AFFINITY[p.kind][c] ?? 0) > 0))
  const nCompanions = companionRng.int(preset.companions[0], preset.companions[1])
  const companions: Companion[] = []
  const pool = [...reachable]
  for (let i = 0; i < nCompanions && pool.length > 0; i++) {
    const idx = companionRng.weightedIndex(pool.map((c) => CLASS_SPECS[c].companionWeight))
    const cls = pool.splice(idx, 1)[0]!
    companions.push({
      look: sampleLook(cls, companionRng.fork('look', cls), 'personal'),
      share: companionRng.range(0.7, 0.9),
    })
  }

  const weightRng = rng.fork('classes')
  const classWeights = {} as Record<SynthClass, number>
  for (const c of SYNTH_CLASSES) {
    const isCompanion = companions.some((x) => x.look.cls === c)
    let w = CLASS_SPECS[c].sourceWeight * Math.exp(0.9 * weightRng.normal())
    // Each user skips some classes entirely; people and their own recurring objects always appear.
    if (c !== 'person' && !isCompanion && weightRng.chance(0.3)) w = 0
    classWeights[c] = w
  }
  // Recurring objects recur: each companion's class gets at least a fifth of the other classes' weight.
  const others = SYNTH_CLASSES.filter((c) => !companions.some((x) => x.look.cls === c)).reduce(
    (a, c) => a + classWeights[c],
    0,
  )
  for (const { look } of companions)
    classWeights[look.cls] = Math.max(classWeights[look.cls] * 4, 0.25 * others)
  return { shift, jpegQuality, places, placeWeights, companions, classWeights }
}

/**
 * The user's camera: a colour cast of 10–20% spread over the hue circle (log-gains sum to zero, so it
 * changes colour, not brightness), saturation, contrast and brightness habits, and for some users blur.
 */
function sampleUserShift(rng: Rng, preset: Preset): Shift {
  const theta = rng.range(0, 2 * Math.PI)
  const m = rng.range(0.1, 0.2)
  const gain = (k: number) => Math.exp(m * Math.cos(theta - (2 * Math.PI * k) / 3))
  return {
    saturation: rng.range(0.65, 1.3),
    gains: [gain(0), gain(1), gain(2)],
    contrast: rng.range(0.78, 1.2),
    brightness: rng.range(-20, 20),
    blurSigma: rng.chance(0.5) ? rng.range(0.5, 1.0) * Math.sqrt(preset.longSide / 320) : 0,
    noiseSigma: rng.range(0, 8),
  }
}

/** Source images: small random camera differences around neutral, no systematic cast. */
export function sampleSourceShift(rng: Rng, preset: Preset): Shift {
  return {
    saturation: rng.range(0.9, 1.1),
    gains: [Math.exp(0.03 * rng.normal()), Math.exp(0.03 * rng.normal()), Math.exp(0.03 * rng.normal())],
    contrast: rng.range(0.92, 1.08),
    brightness: rng.range(-8, 8),
    blurSigma: rng.chance(0.2) ? 0.4 * Math.sqrt(preset.longSide / 320) : 0,
    noiseSigma: rng.range(0, 3),
  }
}

export const SOURCE_JPEG_QUALITY = 90
