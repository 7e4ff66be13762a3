/** Shape families of vehicles, furniture and household things, in the object frame of objects.ts. */
import { Rng } from './rng'
import type { Look } from './looks'
import { box, circle, ellipse, poly, rect } from './shapes'
import { scale, type Paint } from './textures'
import { f, flat, P, type Part } from './parts'

export function car(l: Look): Part[] {
  const glass: Paint = {
    kind: 'gradient',
    top: [150, 170, 190],
    bottom: [60, 70, 85],
    v0: -0.95,
    v1: -0.6,
    seed: 0,
    grain: 0.02,
  }
  const tyre = flat(l.accent, 0.06)
  const hub = flat(l.detail)
  const len = 2.2 * f(l, 0)
  const half = len / 2
  const cabin =
    l.variant === 0
      ? poly([-0.65 * half, -0.58], [-0.4 * half, -0.95], [0.3 * half, -0.95], [0.7 * half, -0.58])
      : poly([-0.92 * half, -0.58], [-0.88 * half, -0.98], [0.4 * half, -0.98], [0.75 * half, -0.58])
  const windows =
    l.variant === 0
      ? poly([-0.58 * half, -0.6], [-0.37 * half, -0.89], [0.27 * half, -0.89], [0.6 * half, -0.6])
      : poly([-0.84 * half, -0.6], [-0.81 * half, -0.92], [0.36 * half, -0.92], [0.65 * half, -0.6])
  const wx = 0.62 * half
  return [
    P(cabin, l.main, 1.05),
    P(windows, glass),
    P(rect(-0.08 * half, -0.75, 0.07, 0.32), l.main),
    P(rect(0, -0.4, len, 0.42, 0.12), l.main),
    P(rect(0, -0.33, len * 0.96, 0.03), flat(scale(l.colors[0], 0.6))),
    P(rect(half - 0.04, -0.48, 0.08, 0.1, 0.02), flat([250, 240, 200])),
    P(rect(-half + 0.03, -0.48, 0.06, 0.1, 0.01), flat([200, 30, 30])),
    P(circle(-wx, -0.2, 0.2), tyre),
    P(circle(wx, -0.2, 0.2), tyre),
    P(circle(-wx, -0.2, 0.09), hub),
    P(circle(wx, -0.2, 0.09), hub),
  ]
}

export function chair(l: Look): Part[] {
  const w = 0.5 * f(l, 0)
  const seatY = -0.47 * f(l, 1)
  const parts: Part[] = [
    P(rect(-w * 0.34, seatY / 2 - 0.03, 0.04, -seatY - 0.06), l.second, 0.7),
    P(rect(w * 0.34, seatY / 2 - 0.03, 0.04, -seatY - 0.06), l.second, 0.7),
    P(rect(-w * 0.45, seatY / 2, 0.05, -seatY), l.second),
    P(rect(w * 0.45, seatY / 2, 0.05, -seatY), l.second),
    P(rect(-w * 0.45, (seatY - 0.95) / 2, 0.05, seatY + 0.95), l.second),
    P(rect(w * 0.45, (seatY - 0.95) / 2, 0.05, seatY + 0.95), l.second),
  ]
  if (l.variant === 0) {
    parts.push(P(box(-w * 0.47, -0.95, w * 0.47, seatY - 0.12, 0.03), l.main, 1.05))
  } else {
    parts.push(P(box(-w * 0.47, -0.95, w * 0.47, -0.82, 0.02), l.main, 1.05))
    for (const x of [-0.22, 0, 0.22])
      parts.push(P(rect(w * x, (seatY - 0.84) / 2, 0.06, seatY + 0.84), l.main))
  }
  parts.push(P(box(-w * 0.52, seatY - 0.04, w * 0.52, seatY + 0.04, 0.015), l.main, 1.1))
  return parts
}

export function bottle(l: Look): Part[] {
  const w = 0.28 * f(l, 0)
  const parts: Part[] = [
    P(rect(0, -0.33, w, 0.66, 0.05), l.main),
    P(ellipse(0, -0.64, w / 2, 0.1), l.main),
    P(rect(0, -0.8, w * 0.36, 0.3, 0.02), l.main),
    P(rect(0, -0.96, w * 0.4, 0.07, 0.01), flat(l.accent)),
  ]
  if (l.variant === 0) parts.push(P(rect(0, -0.35, w, 0.24), l.second))
  parts.push(P(rect(-w * 0.25, -0.42, w * 0.1, 0.45, 0.01), flat(l.detail, 0.02)))
  return parts
}

export function tvmonitor(l: Look): Part[] {
  const w = 1.5 * f(l, 0)
  const screen: Paint =
    l.second.kind === 'blend'
      ? { ...l.second, size: 0.35, edge: 3, a: scale(l.detail, 1), b: l.colors[1] }
      : l.second
  return [
    P(rect(0, -0.03, w * 0.4, 0.06, 0.02), l.main, 0.9),
    P(rect(0, -0.12, 0.1, 0.16), l.main, 0.8),
    P(rect(0, -0.59, w, 0.86, 0.03), l.main),
    P(rect(0, -0.59, w - 0.14, 0.72), screen),
    P(rect(w * 0.42, -0.19, 0.05, 0.02), flat([90, 200, 90])),
  ]
}

export function pottedplant(l: Look): Part[] {
  const rng = new Rng(l.shapeSeed)
  const parts: Part[] = [
    P(poly([-0.2, -0.36], [0.2, -0.36], [0.15, 0], [-0.15, 0]), l.second),
    P(rect(0, -0.36, 0.46, 0.07, 0.01), l.second, 1.1),
  ]
  if (l.variant === 0) {
    const n = rng.int(6, 9)
    for (let i = 0; i < n; i++) {
      const a = -1.3 + (2.6 * (i + rng.range(0.2, 0.8))) / n
      const len = rng.range(0.42, 0.62) * (1 - 0.25 * Math.abs(a))
      parts.push(
        P(
          ellipse(Math.sin(a) * len * 0.5, -0.38 - Math.cos(a) * len * 0.5, 0.075, len * 0.5, a),
          l.main,
          rng.range(0.8, 1.15),
        ),
      )
    }
  } else {
    const n = rng.int(5, 8)
    for (let i = 0; i < n; i++) {
      const r = rng.range(0.13, 0.2)
      parts.push(P(circle(rng.range(-0.2, 0.2), rng.range(-0.8, -0.5), r), l.main, rng.range(0.8, 1.15)))
    }
  }
  return parts
}

export function boat(l: Look): Part[] {
  const stripe = flat(l.accent)
  if (l.variant === 0) {
    return [
      P(rect(0, -0.64, 0.03, 0.72), flat(l.detail)),
      P(poly([0.03, -0.98], [0.03, -0.32], [0.6 * f(l, 0), -0.32]), l.second),
      P(poly([-0.03, -0.9], [-0.03, -0.32], [-0.45 * f(l, 0), -0.32]), l.second, 0.92),
      P(poly([-0.72, -0.3], [0.78, -0.3], [0.55, 0], [-0.6, 0]), l.main),
      P(poly([-0.72, -0.3], [0.78, -0.3], [0.76, -0.24], [-0.71, -0.24]), stripe),
    ]
  }
  const len = f(l, 0)
  return [
    P(poly([-0.5 * len, -0.42], [0.35 * len, -0.42], [0.15 * len, -0.82], [-0.45 * len, -0.82]), l.second),
    P(rect(-0.12 * len, -0.64, 0.45 * len, 0.14, 0.02), flat([70, 90, 110])),
    P(poly([-1.0 * len, -0.45], [1.0 * len, -0.45], [0.7 * len, 0], [-0.9 * len, 0]), l.main),
    P(poly([-1.0 * len, -0.45], [1.0 * len, -0.45], [0.97 * len, -0.38], [-0.98 * len, -0.38]), stripe),
  ]
}

export function sofa(l: Look): Part[] {
  const rng = new Rng(l.shapeSeed)
  const len = 2.1 * f(l, 0)
  const half = len / 2
  const seats = rng.int(2, 3)
  const legs = flat(l.accent)
  const parts: Part[] = [
    P(rect(-half + 0.1, -0.03, 0.08, 0.06), legs),
    P(rect(half - 0.1, -0.03, 0.08, 0.06), legs),
    P(rect(0, -0.68, len - 0.2, 0.5, 0.12), l.main, 0.9),
    P(rect(0, -0.3, len, 0.44, 0.06), l.main),
  ]
  const inner = len - 0.5
  for (let i = 0; i < seats; i++) {
    const cx = -inner / 2 + (inner * (i + 0.5)) / seats
    parts.push(P(rect(cx, -0.72, inner / seats - 0.04, 0.36, 0.08), l.second, 0.95))
    parts.push(P(rect(cx, -0.5, inner / seats - 0.03, 0.14, 0.05), l.second, 1.08))
  }
  parts.push(
    P(rect(-half + 0.02, -0.45, 0.26, 0.6, 0.1), l.main, 1.05),
    P(rect(half - 0.02, -0.45, 0.26, 0.6, 0.1), l.main, 1.05),
  )
  return parts
}
