/**
 * Natural colours and textures of each class — the source distribution of appearances that a user's
 * recurring objects deliberately leave.
 */
import type { Rng } from './rng'
import type { SynthClass } from './classes'
import type { Pattern } from './looks'
import { hsv, jitter, scale, type Rgb } from './textures'

const SKIN: Rgb[] = [
  [224, 172, 105],
  [198, 134, 66],
  [141, 85, 36],
  [255, 219, 172],
  [241, 194, 125],
  [110, 70, 40],
]
const HAIR: Rgb[] = [
  [25, 20, 20],
  [90, 60, 35],
  [200, 170, 110],
  [170, 170, 170],
  [130, 60, 30],
]
const TROUSERS: Rgb[] = [
  [40, 50, 90],
  [30, 30, 35],
  [110, 110, 115],
  [170, 150, 110],
  [70, 95, 140],
]
const CAR_PAINT: Rgb[] = [
  [170, 25, 30],
  [30, 60, 140],
  [180, 182, 188],
  [230, 230, 232],
  [25, 25, 30],
  [30, 70, 45],
  [100, 100, 105],
]
const DOG_FUR: Rgb[] = [
  [120, 80, 45],
  [200, 160, 110],
  [30, 28, 26],
  [230, 225, 215],
  [205, 155, 70],
  [130, 125, 120],
]
const CAT_FUR: Rgb[] = [
  [130, 130, 135],
  [215, 135, 60],
  [30, 30, 32],
  [235, 232, 225],
  [225, 200, 160],
  [120, 95, 70],
]
const WOOD: Rgb[] = [
  [140, 95, 55],
  [100, 65, 35],
  [180, 140, 90],
]
const PLASTIC: Rgb[] = [
  [235, 235, 230],
  [30, 30, 32],
  [180, 40, 40],
  [40, 80, 160],
]
const BIRD: Rgb[] = [
  [120, 90, 60],
  [50, 90, 170],
  [190, 40, 35],
  [220, 190, 50],
  [140, 140, 140],
  [30, 30, 30],
]
const GLASS: Rgb[] = [
  [40, 110, 50],
  [110, 60, 20],
  [190, 205, 210],
  [60, 110, 190],
]
const BEZEL: Rgb[] = [
  [20, 20, 22],
  [60, 60, 65],
  [170, 170, 175],
]
const LEAF: Rgb[] = [
  [40, 110, 40],
  [60, 140, 50],
  [30, 90, 45],
  [90, 150, 60],
]
const POT: Rgb[] = [
  [180, 90, 50],
  [230, 230, 225],
  [60, 90, 150],
  [35, 35, 35],
]
const HULL: Rgb[] = [
  [235, 235, 235],
  [170, 30, 30],
  [30, 60, 130],
  [130, 85, 45],
]
const HORSE: Rgb[] = [
  [110, 60, 30],
  [150, 75, 35],
  [25, 22, 20],
  [200, 200, 195],
  [210, 170, 100],
]
const SOFA: Rgb[] = [
  [120, 120, 125],
  [200, 185, 160],
  [110, 70, 40],
  [50, 60, 100],
  [70, 100, 70],
  [150, 40, 40],
]

export function randomHue(rng: Rng, satLo: number, satHi: number, valLo: number, valHi: number): Rgb {
  return hsv(rng.next(), rng.range(satLo, satHi), rng.range(valLo, valHi))
}

/** A second colour for two-tone patterns: another palette entry, or a darker/lighter shade of `a`. */
function partner(rng: Rng, a: Rgb, palette: readonly Rgb[]): Rgb {
  return rng.chance(0.5) ? jitter(rng, rng.pick(palette), 0.08) : scale(a, rng.chance(0.5) ? 0.55 : 1.45)
}

export interface Colours {
  pattern: Pattern
  a: Rgb
  b: Rgb
  secondPattern: Pattern
  s: Rgb
  accent: Rgb
  detail: Rgb
  variants: number
}

/** Natural colours per class (the source distribution). */
export function sourceColours(cls: SynthClass, rng: Rng): Colours {
  const j = (c: Rgb) => jitter(rng, c, 0.1)
  switch (cls) {
    case 'person': {
      const a = randomHue(rng, 0.2, 0.8, 0.25, 0.9)
      const pattern = rng.pick<Pattern>(['plain', 'plain', 'plain', 'stripes', 'checker', 'fabric'])
      return {
        pattern,
        a,
        b: scale(a, 0.5),
        secondPattern: 'fabric',
        s: j(rng.pick(TROUSERS)),
        accent: j(rng.pick(SKIN)),
        detail: j(rng.pick(HAIR)),
        variants: 2,
      }
    }
    case 'car':
      return {
        pattern: 'metal',
        a: j(rng.pick(CAR_PAINT)),
        b: [0, 0, 0],
        secondPattern: 'metal',
        s: [120, 140, 160],
        accent: [25, 25, 25],
        detail: [170, 170, 175],
        variants: 2,
      }
    case 'dog': {
      const a = j(rng.pick(DOG_FUR))
      const pattern = rng.pick<Pattern>(['fur', 'fur', 'patches', 'spots'])
      return {
        pattern,
        a,
        b: partner(rng, a, DOG_FUR),
        secondPattern: 'fur',
        s: partner(rng, a, DOG_FUR),
        accent: [20, 18, 18],
        detail: [15, 12, 10],
        variants: 2,
      }
    }
    case 'cat': {
      const a = j(rng.pick(CAT_FUR))
      const pattern = rng.pick<Pattern>(['stripes', 'stripes', 'fur', 'patches'])
      return {
        pattern,
        a,
        b: scale(a, 0.55),
        secondPattern: 'fur',
        s: rng.chance(0.5) ? [235, 232, 225] : a,
        accent: rng.pick<Rgb>([
          [150, 190, 60],
          [220, 180, 50],
        ]),
        detail: [15, 15, 15],
        variants: 2,
      }
    }
    case 'chair': {
      const wood = rng.chance(0.6)
      const a = j(wood ? rng.pick(WOOD) : rng.pick(PLASTIC))
      return {
        pattern: wood ? 'wood' : 'plain',
        a,
        b: scale(a, 0.75),
        secondPattern: wood ? 'wood' : 'plain',
        s: scale(a, 0.8),
        accent: scale(a, 0.6),
        detail: a,
        variants: 2,
      }
    }
    case 'bird': {
      const a = j(rng.pick(BIRD))
      return {
        pattern: 'fur',
        a,
        b: scale(a, 0.6),
        secondPattern: 'fur',
        s: partner(rng, a, BIRD),
        accent: rng.pick<Rgb>([
          [230, 150, 40],
          [225, 200, 60],
          [60, 55, 50],
        ]),
        detail: [10, 10, 10],
        variants: 2,
      }
    }
    case 'bottle': {
      const a = j(rng.pick(GLASS))
      const label = randomHue(rng, 0.0, 0.6, 0.7, 1.0)
      return {
        pattern: 'metal',
        a,
        b: scale(a, 1.5),
        secondPattern: rng.pick<Pattern>(['plain', 'stripes']),
        s: label,
        accent: j(
          rng.pick<Rgb>([
            [200, 170, 60],
            [180, 30, 30],
            [235, 235, 235],
            [25, 25, 25],
          ]),
        ),
        detail: scale(a, 1.6),
        variants: 2,
      }
    }
    case 'tvmonitor': {
      const a = j(rng.pick(BEZEL))
      const s = randomHue(rng, 0.3, 0.8, 0.35, 0.9)
      return {
        pattern: 'metal',
        a,
        b: a,
        secondPattern: 'patches',
        s,
        accent: a,
        detail: scale(s, 0.3),
        variants: 1,
      }
    }
    case 'pottedplant': {
      const a = j(rng.pick(LEAF))
      return {
        pattern: rng.pick<Pattern>(['fur', 'plain', 'stripes']),
        a,
        b: scale(a, 0.7),
        secondPattern: 'plain',
        s: j(rng.pick(POT)),
        accent: scale(a, 0.8),
        detail: a,
        variants: 2,
      }
    }
    case 'boat': {
      const a = j(rng.pick(HULL))
      return {
        pattern: rng.pick<Pattern>(['plain', 'wood']),
        a,
        b: scale(a, 0.75),
        secondPattern: 'plain',
        s: j([235, 230, 215]),
        accent: randomHue(rng, 0.5, 0.9, 0.4, 0.9),
        detail: [60, 55, 50],
        variants: 2,
      }
    }
    case 'horse': {
      const a = j(rng.pick(HORSE))
      const pattern = rng.pick<Pattern>(['fur', 'fur', 'fur', 'spots'])
      return {
        pattern,
        a,
        b: scale(a, 0.7),
        secondPattern: 'fur',
        s: j(
          rng.pick<Rgb>([
            [25, 22, 20],
            [60, 40, 25],
            [220, 200, 150],
          ]),
        ),
        accent: [30, 28, 26],
        detail: [10, 10, 10],
        variants: 1,
      }
    }
    case 'sofa': {
      const a = j(rng.pick(SOFA))
      const pattern = rng.pick<Pattern>(['fabric', 'fabric', 'fabric', 'checker', 'plain'])
      return {
        pattern,
        a,
        b: scale(a, 0.7),
        secondPattern: pattern === 'checker' ? 'checker' : 'fabric',
        s: scale(a, 1.1),
        accent: [40, 30, 25],
        detail: a,
        variants: 1,
      }
    }
    default:
      return exhaustiveClass(cls)
  }
}

function exhaustiveClass(x: never): never {
  throw new Error(`unhandled class ${String(x)}`)
}
