/**
 * The whole benchmark as data, before any pixel is drawn: every image's name, size, processing and
 * split, and how to compose its scene. Pure and seeded: planBenchmark(seed, preset) always returns the
 * same plan, and each image draws from its own derived stream, so images can be rendered in any order.
 * Scenes are composed on demand (`spec()`), so a 14,000-image plan stays a few megabytes.
 */
import { Rng } from './rng'
import { sourceClassWeights } from './classes'
import { composeObjects, type Camera, type ImageSpec } from './compose'
import { PRESETS, type Preset, type PresetName } from './presets'
import { samplePlace, SCENE_KINDS, type SceneKind } from './scenes'
import type { Shift } from './shift'
import { sampleSourceShift, sampleUserTraits, SOURCE_JPEG_QUALITY, type UserTraits } from './users'

export interface PlannedImage {
  name: string
  width: number
  height: number
  /** Composes the image's scene: place, camera and objects. Deterministic: same result every call. */
  spec: () => ImageSpec
  shift: Shift
  jpegQuality: number
  /** Seed of this image's sensor-noise stream. */
  noiseSeed: number
  /** Written with a mask: every source image; the validation share of an album. */
  labelled: boolean
  /** The user's place the photo was taken at (the "true" cluster); −1 for source images. */
  group: number
}

export interface UserPlan {
  /** PIS folder name, `id1`… */
  id: string
  traits: UserTraits
  images: PlannedImage[]
}

export interface SourcePlan {
  images: PlannedImage[]
  /** Names listed in ImageSets/Segmentation/val.txt; the rest are in train.txt. */
  valNames: ReadonlySet<string>
}

export interface BenchmarkPlan {
  seed: number
  preset: Preset
  source: SourcePlan
  users: UserPlan[]
}

const SOURCE_KIND_WEIGHTS: Record<SceneKind, number> = {
  indoor: 0.35,
  street: 0.25,
  park: 0.25,
  waterside: 0.15,
}

export function planBenchmark(seed: number, presetName: PresetName): BenchmarkPlan {
  const preset = PRESETS[presetName]
  const source = planSource(seed, preset)
  const users: UserPlan[] = []
  for (let k = 1; k <= preset.users; k++) users.push(planUser(seed, preset, k))
  return { seed, preset, source, users }
}

function planSource(seed: number, preset: Preset): SourcePlan {
  const n = preset.sourceImages
  const valRng = Rng.derive(seed, 'source-split')
  const order = valRng.shuffle(Array.from({ length: n }, (_, i) => i))
  const val = new Set(order.slice(0, Math.round(n * preset.sourceValShare)))
  const weights = sourceClassWeights()
  const images: PlannedImage[] = []
  const valNames = new Set<string>()
  for (let i = 0; i < n; i++) {
    const rng = Rng.derive(seed, 'source', i)
    // VOC-style ids; the split is recorded by the ImageSets lists, not the name.
    const name = `2012_${String(i + 1).padStart(6, '0')}`
    if (val.has(i)) valNames.add(name)
    const { width, height } = sampleSize(rng.fork('size'), preset)
    const spec = (): ImageSpec => {
      // Each source photo is somewhere new: a fresh place, camera and objects.
      const r = Rng.derive(seed, 'source', i)
      const kind = SCENE_KINDS[r.weightedIndex(SCENE_KINDS.map((k) => SOURCE_KIND_WEIGHTS[k]))]!
      const place = samplePlace(kind, r.fork('place'), 'source')
      const camRng = r.fork('camera')
      const camera: Camera = {
        dx: camRng.range(-0.3, 0.3),
        dy: camRng.range(-0.04, 0.04),
        zoom: camRng.range(0.9, 1.15),
        light: camRng.range(0.9, 1.1),
      }
      const objects = composeObjects(r.fork('objects'), {
        place,
        camera,
        width,
        height,
        classWeights: weights,
        companions: [],
        minObjectPx: preset.minObjectPx,
      })
      return { width, height, place, camera, objects }
    }
    images.push({
      name,
      width,
      height,
      spec,
      shift: sampleSourceShift(rng.fork('shift'), preset),
      jpegQuality: SOURCE_JPEG_QUALITY,
      noiseSeed: rng.fork('noise').nextU32(),
      labelled: true,
      group: -1,
    })
  }
  return { images, valNames }
}

function planUser(seed: number, preset: Preset, k: number): UserPlan {
  const rng = Rng.derive(seed, 'user', k)
  const traits = sampleUserTraits(rng.fork('traits'), preset)
  const n = rng.fork('size').int(preset.albumSize[0], preset.albumSize[1])
  const perPlace = allocate(n, traits.placeWeights, 3)
  const names = albumNames(rng.fork('names'), n)
  const splitRng = rng.fork('split')
  const images: PlannedImage[] = []
  perPlace.forEach((count, g) => {
    const place = traits.places[g]!
    // Validation share drawn inside each place, so every cluster is represented in val_all.txt.
    const nVal = Math.max(1, Math.round(count * preset.albumValShare))
    const valIdx = new Set(splitRng.shuffle(Array.from({ length: count }, (_, j) => j)).slice(0, nVal))
    for (let j = 0; j < count; j++) {
      const irng = Rng.derive(seed, 'user', k, 'image', g, j)
      const { width, height } = sampleSize(irng.fork('size'), preset)
      const spec = (): ImageSpec => {
        const r = Rng.derive(seed, 'user', k, 'image', g, j)
        const c = r.fork('camera')
        // Same place, another shot: small pan/zoom and exposure changes around the place's layout.
        const camera: Camera = {
          dx: c.range(-0.12, 0.12),
          dy: c.range(-0.03, 0.03),
          zoom: c.range(0.95, 1.1),
          light: c.range(0.94, 1.06),
        }
        const objects = composeObjects(r.fork('objects'), {
          place,
          camera,
          width,
          height,
          classWeights: traits.classWeights,
          companions: traits.companions,
          minObjectPx: preset.minObjectPx,
        })
        return { width, height, place, camera, objects }
      }
      images.push({
        name: names[images.length]!,
        width,
        height,
        spec,
        shift: traits.shift,
        jpegQuality: traits.jpegQuality,
        noiseSeed: irng.fork('noise').nextU32(),
        labelled: valIdx.has(j),
        group: g,
      })
    }
  })
  return { id: `id${k}`, traits, images }
}

/** Landscape 4:3 mostly, some 3:2, 16:9 and square, a few portraits; long side fixed by the preset. */
function sampleSize(rng: Rng, preset: Preset): { width: number; height: number } {
  const aspects = [4 / 3, 3 / 2, 16 / 9, 1]
  const aspect = aspects[rng.weightedIndex([0.6, 0.25, 0.1, 0.05])]!
  const long = preset.longSide
  const short = Math.round(long / aspect)
  return rng.chance(preset.portraitShare) ? { width: short, height: long } : { width: long, height: short }
}

/**
 * Splits n into parts proportional to weights, each at least `min` (when n allows), by largest
 * remainder so the parts always sum to n.
 */
export function allocate(n: number, weights: readonly number[], min: number): number[] {
  const k = weights.length
  const floor = Math.min(min, Math.floor(n / k))
  const rest = n - floor * k
  const total = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (rest * w) / total)
  const counts = exact.map((e) => floor + Math.floor(e))
  let left = n - counts.reduce((a, b) => a + b, 0)
  const byRemainder = exact
    .map((e, i) => ({ i, r: e - Math.floor(e) }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
  for (const { i } of byRemainder) {
    if (left <= 0) break
    counts[i]!++
    left--
  }
  return counts
}

// PIS-like names: short random ids that may begin with '-', never contain '.'. Lower case only, so
// names cannot collide on case-insensitive file systems (macOS, Windows).
const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-_'

function albumNames(rng: Rng, n: number): string[] {
  const seen = new Set<string>()
  const names: string[] = []
  while (names.length < n) {
    // The first name always starts with '-', so every album exercises that importer edge case.
    let name = names.length === 0 ? '-' : NAME_ALPHABET[rng.int(0, 35)]!
    while (name.length < 11) name += NAME_ALPHABET[rng.int(0, NAME_ALPHABET.length - 1)]!
    if (seen.has(name)) continue
    seen.add(name)
    names.push(name)
  }
  // Shuffle so the '-' name lands on a random photo, not always on the first place's first shot.
  return rng.shuffle(names)
}
