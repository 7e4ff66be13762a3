/** Indoor places: a wall and a floor, with windows, pictures, doors and rugs as background decor. */
import type { Rng } from './rng'
import { box, circle, ellipse } from './shapes'
import { hsv, jitter, scale, type Paint, type Rgb } from './textures'
import { satRange, seedOf, WIDE, type Layer, type Place, type PlaceStyle } from './scene-kit'

export function indoor(rng: Rng, style: PlaceStyle): Place {
  const h = rng.range(0.5, 0.68)
  const [s0, s1] = satRange(style)
  const wall = hsv(rng.next(), rng.range(s0, s1), rng.range(0.55, 0.95))
  const wallKind = rng.pick(['plain', 'stripes', 'damask', 'brick'] as const)
  const wallPaint: Paint =
    wallKind === 'plain'
      ? { kind: 'noise', color: wall, amp: 0.05, size: 0.4, seed: seedOf(rng), grain: 0.03 }
      : wallKind === 'stripes'
        ? {
            kind: 'stripes',
            a: wall,
            b: scale(wall, rng.range(0.75, 0.9)),
            period: rng.range(0.05, 0.12),
            angle: Math.PI / 2,
            duty: 0.5,
            wobble: 0,
            seed: 0,
            grain: 0.03,
          }
        : wallKind === 'damask'
          ? {
              kind: 'spots',
              base: wall,
              spot: scale(wall, 0.82),
              cell: rng.range(0.06, 0.1),
              radius: 0.25,
              seed: seedOf(rng),
              grain: 0.03,
            }
          : {
              kind: 'tiles',
              tile: jitter(rng, [160, 80, 60], 0.15),
              grout: [200, 195, 185],
              w: 0.12,
              h: 0.05,
              groutWidth: 0.008,
              offsetRows: true,
              tint: 0.12,
              seed: seedOf(rng),
              grain: 0.08,
            }
  const floorKind = rng.pick(['planks', 'tiles', 'carpet'] as const)
  const floorPaint: Paint =
    floorKind === 'planks'
      ? {
          kind: 'planks',
          color: jitter(rng, [150, 105, 65], 0.15),
          plank: rng.range(0.04, 0.07),
          length: rng.range(0.4, 0.8),
          tint: 0.1,
          seed: seedOf(rng),
          grain: 0.05,
        }
      : floorKind === 'tiles'
        ? {
            kind: 'tiles',
            tile: hsv(rng.next(), rng.range(0, 0.25), rng.range(0.5, 0.9)),
            grout: [90, 90, 90],
            w: rng.range(0.1, 0.18),
            h: rng.range(0.06, 0.1),
            groutWidth: 0.006,
            offsetRows: false,
            tint: 0.06,
            seed: seedOf(rng),
            grain: 0.04,
          }
        : {
            kind: 'noise',
            color: hsv(rng.next(), rng.range(0.1, 0.5), rng.range(0.3, 0.7)),
            amp: 0.1,
            size: 0.03,
            seed: seedOf(rng),
            grain: 0.2,
          }
  const layers: Layer[] = [
    { shape: box(-WIDE, -WIDE, WIDE, h), paint: wallPaint },
    { shape: box(-WIDE, h, WIDE, WIDE), paint: floorPaint },
  ]
  const trim = rng.chance(0.5) ? ([235, 232, 225] as Rgb) : jitter(rng, [120, 80, 45], 0.1)
  layers.push({
    shape: box(-WIDE, h - 0.025, WIDE, h),
    paint: { kind: 'flat', color: trim, seed: 0, grain: 0.02 },
  })
  const nWindows = rng.int(0, 2)
  for (let i = 0; i < nWindows; i++) {
    const w = rng.range(0.22, 0.36)
    const x0 = rng.range(-0.1, 1.2)
    const y0 = rng.range(0.06, 0.16)
    const y1 = Math.min(h - 0.12, y0 + rng.range(0.22, 0.32))
    const frame: Paint = { kind: 'flat', color: trim, seed: 0, grain: 0.02 }
    layers.push({ shape: box(x0, y0, x0 + w, y1), paint: frame })
    layers.push({
      shape: box(x0 + 0.02, y0 + 0.02, x0 + w - 0.02, y1 - 0.02),
      paint: {
        kind: 'gradient',
        top: [150, 195, 235],
        bottom: [225, 235, 245],
        v0: y0,
        v1: y1,
        seed: 0,
        grain: 0.01,
      },
    })
    layers.push({ shape: box(x0 + w / 2 - 0.008, y0, x0 + w / 2 + 0.008, y1), paint: frame })
    layers.push({ shape: box(x0, (y0 + y1) / 2 - 0.008, x0 + w, (y0 + y1) / 2 + 0.008), paint: frame })
  }
  if (rng.chance(0.6)) {
    const w = rng.range(0.12, 0.25)
    const x0 = rng.range(0, 1.3)
    const y0 = rng.range(0.1, Math.max(0.12, h - 0.35))
    const hh = rng.range(0.1, 0.18)
    layers.push({
      shape: box(x0, y0, x0 + w, y0 + hh),
      paint: { kind: 'flat', color: jitter(rng, [60, 40, 25], 0.2), seed: 0, grain: 0.04 },
    })
    const art = hsv(rng.next(), rng.range(0.3, 0.8), rng.range(0.4, 0.9))
    layers.push({
      shape: box(x0 + 0.015, y0 + 0.015, x0 + w - 0.015, y0 + hh - 0.015),
      paint: {
        kind: 'blend',
        a: art,
        b: scale(art, 0.4),
        size: 0.05,
        threshold: 0.5,
        edge: 3,
        seed: seedOf(rng),
        grain: 0.03,
      },
    })
  }
  if (rng.chance(0.4)) {
    const x0 = rng.range(-0.2, 1.4)
    const door: Rgb = jitter(
      rng,
      rng.pick<Rgb>([
        [130, 90, 55],
        [230, 228, 220],
        [90, 60, 40],
      ]),
      0.1,
    )
    layers.push({
      shape: box(x0, h - 0.55, x0 + 0.24, h),
      paint: { kind: 'noise', color: door, amp: 0.05, size: 0.2, seed: seedOf(rng), grain: 0.04 },
    })
    layers.push({
      shape: circle(x0 + 0.2, h - 0.27, 0.012),
      paint: { kind: 'flat', color: [200, 180, 90], seed: 0, grain: 0 },
    })
  }
  if (rng.chance(0.5)) {
    const rug = hsv(rng.next(), rng.range(0.3, 0.7), rng.range(0.3, 0.8))
    const paint: Paint = rng.chance(0.5)
      ? {
          kind: 'stripes',
          a: rug,
          b: scale(rug, 0.6),
          period: 0.05,
          angle: 0,
          duty: 0.35,
          wobble: 0,
          seed: 0,
          grain: 0.12,
        }
      : {
          kind: 'tiles',
          tile: rug,
          grout: scale(rug, 0.5),
          w: 0.08,
          h: 0.04,
          groutWidth: 0.01,
          offsetRows: true,
          tint: 0.1,
          seed: seedOf(rng),
          grain: 0.12,
        }
    layers.push({
      shape: ellipse(
        rng.range(0.2, 1.1),
        rng.range(h + 0.15, 0.9),
        rng.range(0.3, 0.5),
        rng.range(0.06, 0.12),
      ),
      paint,
    })
  }
  const wallWord = wallKind === 'plain' ? 'plain' : wallKind
  return {
    kind: 'indoor',
    label: `indoor, ${wallWord} wall, ${floorKind} floor`,
    layers,
    horizon: h,
    ground: { v0: h + 0.06, v1: 0.98 },
    water: null,
    sky: null,
    light: rng.range(0.85, 1.05),
  }
}
