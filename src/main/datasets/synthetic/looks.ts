/**
 * The appearance of one object instance ("look"): shape variant, proportions and paints. Source looks
 * follow each class's natural colour and texture statistics; a user's recurring object gets a look
 * outside them (an unusual colour with a pattern the class rarely has), and keeps it in every photo —
 * the personal content the source set does not have.
 */
import type { Rng } from './rng'
import type { SynthClass } from './classes'
import { scale, type Paint, type Rgb } from './textures'
import { randomHue, sourceColours, type Colours } from './palettes'

export const PATTERNS = [
  'plain',
  'fur',
  'stripes',
  'spots',
  'patches',
  'checker',
  'metal',
  'wood',
  'fabric',
] as const
export type Pattern = (typeof PATTERNS)[number]

export interface Look {
  cls: SynthClass
  /** Class-specific shape variant (e.g. floppy or pointy ears, sailing or motor boat). */
  variant: number
  /** Proportion factors around 1, read by index by the class's builder. */
  build: readonly number[]
  /** Seed for layout details a builder draws (leaf angles, cushion count). */
  shapeSeed: number
  pattern: Pattern
  /** Body paint. */
  main: Paint
  /** Secondary parts (trousers, ears, windows, sail, pot, cushions...). */
  second: Paint
  /** Small parts (skin, beak, tyres, cap, eyes...). */
  accent: Rgb
  /** Tiny details (hair, hubs, pupils...). */
  detail: Rgb
  /** Main and secondary base colours, for the manifest. */
  colors: readonly [Rgb, Rgb]
}

export type LookStyle = 'source' | 'personal'

function exhaustive(x: never): never {
  throw new Error(`unhandled pattern ${String(x)}`)
}

/** A paint for a pattern in object-local units (1 = object height). */
export function patternPaint(pattern: Pattern, a: Rgb, b: Rgb, seed: number): Paint {
  switch (pattern) {
    case 'plain':
      return { kind: 'noise', color: a, amp: 0.06, size: 0.35, seed, grain: 0.04 }
    case 'fur':
      return { kind: 'noise', color: a, amp: 0.18, size: 0.07, seed, grain: 0.12 }
    case 'stripes':
      return { kind: 'stripes', a, b, period: 0.09, angle: 1.45, duty: 0.42, wobble: 1.4, seed, grain: 0.1 }
    case 'spots':
      return { kind: 'spots', base: a, spot: b, cell: 0.15, radius: 0.28, seed, grain: 0.08 }
    case 'patches':
      return { kind: 'blend', a, b, size: 0.28, threshold: 0.52, edge: 9, seed, grain: 0.08 }
    case 'checker':
      return {
        kind: 'tiles',
        tile: a,
        grout: b,
        w: 0.11,
        h: 0.11,
        groutWidth: 0.035,
        offsetRows: false,
        tint: 0.08,
        seed,
        grain: 0.06,
      }
    case 'metal':
      return { kind: 'noise', color: a, amp: 0.05, size: 0.6, seed, grain: 0.02 }
    case 'wood':
      return { kind: 'stripes', a, b, period: 0.035, angle: 0.05, duty: 0.3, wobble: 2.2, seed, grain: 0.06 }
    case 'fabric':
      return { kind: 'noise', color: a, amp: 0.08, size: 0.05, seed, grain: 0.16 }
    default:
      return exhaustive(pattern)
  }
}

/**
 * Personal look: the class keeps its shape and small details, but its main colour is drawn from the
 * whole hue circle at high saturation and its pattern from those the class does not show in the
 * source set, so the source model has not seen this appearance.
 */
function personalColours(cls: SynthClass, rng: Rng): Colours {
  const base = sourceColours(cls, rng)
  const a = randomHue(rng, 0.55, 0.9, 0.45, 0.95)
  const b = rng.chance(0.5) ? randomHue(rng, 0.3, 0.9, 0.2, 0.95) : scale(a, rng.chance(0.5) ? 0.45 : 1.6)
  const unusual: Pattern[] =
    cls === 'car' || cls === 'bottle' || cls === 'tvmonitor'
      ? ['stripes', 'spots', 'patches']
      : ['spots', 'checker', 'stripes', 'patches']
  const pattern = rng.pick(unusual.filter((p) => p !== base.pattern))
  // Secondary parts follow the main colour for animals (ears, tail) and stay natural for objects.
  const animal = cls === 'dog' || cls === 'cat' || cls === 'horse' || cls === 'bird'
  return { ...base, pattern, a, b, s: animal ? b : base.s }
}

export function sampleLook(cls: SynthClass, rng: Rng, style: LookStyle): Look {
  const c = style === 'source' ? sourceColours(cls, rng) : personalColours(cls, rng)
  const seed = rng.nextU32()
  const build = Array.from({ length: 6 }, () => rng.range(0.85, 1.15))
  return {
    cls,
    variant: rng.int(0, c.variants - 1),
    build,
    shapeSeed: rng.nextU32(),
    pattern: c.pattern,
    main: patternPaint(c.pattern, c.a, c.b, seed),
    second: patternPaint(c.secondPattern, c.s, scale(c.s, 0.6), seed ^ 0x55),
    accent: c.accent,
    detail: c.detail,
    colors: [c.a, c.s],
  }
}

export function hexColor(c: Rgb): string {
  return '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')
}
