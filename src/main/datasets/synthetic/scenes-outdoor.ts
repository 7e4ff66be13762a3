/** Outdoor places: a street with buildings, a park with a tree line, a waterside with a beach. */
import type { Rng } from './rng'
import { box, circle, ellipse, poly } from './shapes'
import { hsv, jitter, scale, type Paint } from './textures'
import { satRange, seedOf, sky, WIDE, type Layer, type Place, type PlaceStyle } from './scene-kit'

export function street(rng: Rng, style: PlaceStyle): Place {
  const h = rng.range(0.5, 0.64)
  const layers: Layer[] = [sky(rng, h)]
  const [s0, s1] = satRange(style)
  let x = rng.range(-0.4, -0.1)
  while (x < 2.2) {
    const w = rng.range(0.25, 0.6)
    const top = rng.range(0.02, h - 0.2)
    const wall = rng.chance(0.3)
      ? jitter(rng, [150, 75, 55], 0.12)
      : hsv(rng.next(), rng.range(s0, s1), rng.range(0.45, 0.9))
    const glass = jitter(rng, [55, 70, 90], 0.15)
    layers.push({
      shape: box(x, top, x + w, h),
      paint: {
        kind: 'windows',
        wall,
        glass,
        cellW: rng.range(0.06, 0.1),
        cellH: rng.range(0.07, 0.11),
        fillW: rng.range(0.45, 0.65),
        fillH: rng.range(0.45, 0.65),
        seed: seedOf(rng),
        grain: 0.05,
      },
    })
    x += w + rng.range(0, 0.05)
  }
  const walk = h + rng.range(0.05, 0.08)
  layers.push({
    shape: box(-WIDE, h, WIDE, walk),
    paint: {
      kind: 'tiles',
      tile: jitter(rng, [175, 172, 165], 0.08),
      grout: [120, 118, 115],
      w: 0.08,
      h: 0.03,
      groutWidth: 0.004,
      offsetRows: false,
      tint: 0.05,
      seed: seedOf(rng),
      grain: 0.06,
    },
  })
  const asphalt = jitter(rng, [95, 95, 98], 0.12)
  layers.push({
    shape: box(-WIDE, walk, WIDE, WIDE),
    paint: { kind: 'noise', color: asphalt, amp: 0.1, size: 0.05, seed: seedOf(rng), grain: 0.18 },
  })
  const laneV = walk + (1 - walk) * rng.range(0.35, 0.55)
  const lane: Paint = {
    kind: 'flat',
    color: rng.chance(0.7) ? [235, 235, 230] : [230, 190, 50],
    seed: 0,
    grain: 0.05,
  }
  for (let lx = -0.5 + rng.range(0, 0.3); lx < 2.2; lx += 0.45)
    layers.push({ shape: box(lx, laneV - 0.008, lx + 0.22, laneV + 0.008), paint: lane })
  return {
    kind: 'street',
    label: 'street',
    layers,
    horizon: h,
    ground: { v0: walk - 0.02, v1: 0.98 },
    water: null,
    sky: { v0: 0.05, v1: Math.max(0.1, h - 0.3) },
    light: rng.range(0.9, 1.1),
  }
}

export function park(rng: Rng, style: PlaceStyle): Place {
  const h = rng.range(0.35, 0.52)
  const layers: Layer[] = [sky(rng, h)]
  const treeA = jitter(rng, [35, 75, 35], 0.2)
  const trees: Paint = {
    kind: 'blend',
    a: treeA,
    b: scale(treeA, 0.6),
    size: 0.04,
    threshold: 0.5,
    edge: 4,
    seed: seedOf(rng),
    grain: 0.1,
  }
  for (let x = -0.4; x < 2.3; x += rng.range(0.08, 0.2))
    layers.push({ shape: circle(x, h - rng.range(0, 0.04), rng.range(0.06, 0.16)), paint: trees })
  const grassHue = style === 'source' ? rng.range(0.22, 0.32) : rng.range(0.12, 0.38)
  const g = hsv(grassHue, rng.range(0.45, 0.75), rng.range(0.4, 0.7))
  const grass: Paint = rng.chance(0.5)
    ? {
        kind: 'blend',
        a: g,
        b: scale(g, 0.7),
        size: 0.12,
        threshold: 0.5,
        edge: 2,
        seed: seedOf(rng),
        grain: 0.22,
      }
    : {
        kind: 'stripes',
        a: g,
        b: scale(g, 0.82),
        period: 0.12,
        angle: rng.range(-0.4, 0.4),
        duty: 0.5,
        wobble: 0.3,
        seed: seedOf(rng),
        grain: 0.22,
      }
  layers.push({ shape: box(-WIDE, h, WIDE, WIDE), paint: grass })
  if (rng.chance(0.5)) {
    const cx = rng.range(0.2, 1.1)
    const path: Paint = {
      kind: 'noise',
      color: jitter(rng, [190, 170, 130], 0.1),
      amp: 0.1,
      size: 0.04,
      seed: seedOf(rng),
      grain: 0.2,
    }
    layers.push({
      shape: poly(
        [cx - 0.02, h],
        [cx + 0.02, h],
        [cx + rng.range(0.2, 0.5), 1.2],
        [cx - rng.range(0.2, 0.5), 1.2],
      ),
      paint: path,
    })
  }
  if (rng.chance(0.5)) {
    const flower = hsv(rng.next(), 0.7, 0.95)
    layers.push({
      shape: ellipse(
        rng.range(0, 1.3),
        rng.range(h + 0.08, 0.7),
        rng.range(0.15, 0.3),
        rng.range(0.03, 0.06),
      ),
      paint: {
        kind: 'spots',
        base: scale(g, 0.8),
        spot: flower,
        cell: 0.02,
        radius: 0.3,
        seed: seedOf(rng),
        grain: 0.1,
      },
    })
  }
  return {
    kind: 'park',
    label: 'park',
    layers,
    horizon: h,
    ground: { v0: h + 0.05, v1: 0.98 },
    water: null,
    sky: { v0: 0.04, v1: Math.max(0.1, h - 0.2) },
    light: rng.range(0.95, 1.12),
  }
}

export function waterside(rng: Rng, style: PlaceStyle): Place {
  const h = rng.range(0.3, 0.44)
  const shore = rng.range(0.74, 0.86)
  const layers: Layer[] = [sky(rng, h)]
  const hills = jitter(rng, [70, 95, 90], 0.2)
  const hillPaint: Paint = {
    kind: 'noise',
    color: hills,
    amp: 0.1,
    size: 0.06,
    seed: seedOf(rng),
    grain: 0.06,
  }
  for (let x = -0.5; x < 2.4; x += rng.range(0.2, 0.45))
    layers.push({ shape: ellipse(x, h, rng.range(0.2, 0.5), rng.range(0.02, 0.08)), paint: hillPaint })
  const waterHue = style === 'source' ? rng.range(0.52, 0.6) : rng.range(0.45, 0.66)
  const deep = hsv(waterHue, rng.range(0.5, 0.8), rng.range(0.35, 0.6))
  layers.push({
    shape: box(-WIDE, h, WIDE, shore),
    paint: {
      kind: 'waves',
      a: deep,
      b: hsv(waterHue, 0.25, 0.9),
      period: rng.range(0.02, 0.035),
      seed: seedOf(rng),
      grain: 0.05,
    },
  })
  layers.push({
    shape: box(-WIDE, shore, WIDE, WIDE),
    paint: {
      kind: 'noise',
      color: jitter(rng, [215, 195, 150], 0.08),
      amp: 0.12,
      size: 0.03,
      seed: seedOf(rng),
      grain: 0.2,
    },
  })
  return {
    kind: 'waterside',
    label: 'waterside',
    layers,
    horizon: h,
    ground: { v0: shore + 0.03, v1: 0.99 },
    water: { v0: h + 0.06, v1: shore - 0.02 },
    sky: { v0: 0.04, v1: Math.max(0.1, h - 0.12) },
    light: rng.range(0.95, 1.12),
  }
}
