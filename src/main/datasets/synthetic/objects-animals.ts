/** Animal shape families (dog, cat, bird, horse), in the object frame described in objects.ts. */
import type { Look } from './looks'
import { capsule, circle, ellipse, poly, rect, type Shape } from './shapes'
import { f, flat, P, type Part } from './parts'

export function dog(l: Look): Part[] {
  const body = 0.62 * f(l, 0)
  const leg = 0.07 * f(l, 1)
  const parts: Part[] = [
    P(capsule(-body * 0.62, -0.5, -body * 0.66, -0.03, leg), l.main, 0.8),
    P(capsule(body * 0.66, -0.5, body * 0.7, -0.03, leg), l.main, 0.8),
    P(capsule(-body * 0.5, -0.5, -body * 0.5, -0.03, leg * 1.05), l.main),
    P(capsule(body * 0.8, -0.5, body * 0.8, -0.03, leg * 1.05), l.main),
    P(
      l.variant === 0
        ? capsule(-body * 0.9, -0.62, -body * 1.3, -0.85, 0.05)
        : capsule(-body * 0.9, -0.6, -body * 1.25, -0.4, 0.055),
      l.main,
    ),
    P(ellipse(0, -0.58, body, 0.23), l.main),
    P(capsule(body * 0.72, -0.62, body * 0.95, -0.8, 0.13), l.main),
    P(ellipse(body + 0.04, -0.84, 0.17, 0.14), l.main, 1.05),
    P(ellipse(body + 0.22, -0.78, 0.11, 0.075), l.main, 1.1),
    P(circle(body + 0.32, -0.8, 0.035), flat(l.accent)),
    P(circle(body + 0.1, -0.88, 0.022), flat(l.detail)),
  ]
  if (l.variant === 0) parts.push(P(ellipse(body - 0.04, -0.8, 0.06, 0.13, 0.35), l.second, 0.9))
  else parts.push(P(poly([body - 0.08, -0.92], [body - 0.03, -1.0], [body + 0.05, -0.94]), l.second, 0.9))
  return parts
}

export function cat(l: Look): Part[] {
  const ear = (x: number, flip: number): Shape =>
    poly([x - 0.09 * flip, -0.85], [x - 0.05 * flip, -1.0], [x + 0.03 * flip, -0.9])
  const eyes = flat(l.accent)
  if (l.variant === 0) {
    // Sitting, seen from the front-side: pear body, round head, pointed ears, curled tail.
    const w = 0.27 * f(l, 0)
    return [
      P(capsule(-w * 0.8, -0.06, -w * 1.7, -0.12, 0.05), l.main, 0.9),
      P(capsule(-w * 1.7, -0.12, -w * 1.85, -0.38, 0.05), l.main, 0.9),
      P(ellipse(-0.03, -0.33, w, 0.33), l.main),
      P(ellipse(0.08, -0.38, 0.13, 0.19), l.second, 1.05),
      P(capsule(0.08, -0.3, 0.1, -0.03, 0.05), l.main, 1.05),
      P(capsule(0.19, -0.3, 0.21, -0.03, 0.05), l.main, 1.05),
      P(ear(0.02, 1), l.main),
      P(ear(0.18, -1), l.main),
      P(ellipse(0.1, -0.76, 0.19, 0.16), l.main, 1.05),
      P(ellipse(0.04, -0.78, 0.03, 0.022), eyes),
      P(ellipse(0.15, -0.78, 0.03, 0.022), eyes),
      P(ellipse(0.04, -0.78, 0.008, 0.02), flat(l.detail)),
      P(ellipse(0.15, -0.78, 0.008, 0.02), flat(l.detail)),
      P(poly([0.08, -0.72], [0.12, -0.72], [0.1, -0.69]), flat([220, 140, 150])),
    ]
  }
  // Walking, side view: long low body, thin legs, tail up, pointed ears.
  const body = 0.48 * f(l, 0)
  return [
    P(capsule(-body * 0.7, -0.45, -body * 0.72, -0.03, 0.045), l.main, 0.8),
    P(capsule(body * 0.6, -0.45, body * 0.62, -0.03, 0.045), l.main, 0.8),
    P(capsule(-body * 0.55, -0.45, -body * 0.55, -0.03, 0.05), l.main),
    P(capsule(body * 0.75, -0.45, body * 0.75, -0.03, 0.05), l.main),
    P(capsule(-body * 0.95, -0.55, -body * 1.35, -0.95, 0.045), l.main, 0.95),
    P(ellipse(0, -0.52, body, 0.2), l.main),
    P(ellipse(body + 0.1, -0.72, 0.16, 0.14), l.main, 1.05),
    P(ear(body + 0.03, 1), l.main),
    P(ear(body + 0.19, -1), l.main),
    P(ellipse(body + 0.16, -0.74, 0.028, 0.02), eyes),
    P(ellipse(body + 0.16, -0.74, 0.008, 0.018), flat(l.detail)),
  ]
}

export function bird(l: Look): Part[] {
  const beak = flat(l.accent)
  const eye = flat(l.detail)
  if (l.variant === 0) {
    return [
      P(capsule(-0.02, -0.3, -0.04, 0, 0.025), beak, 0.8),
      P(capsule(0.1, -0.3, 0.1, 0, 0.025), beak, 0.8),
      P(poly([-0.3, -0.5], [-0.72, -0.72], [-0.7, -0.48]), l.second),
      P(ellipse(0, -0.5, 0.38 * f(l, 0), 0.24, -0.25), l.main),
      P(ellipse(-0.08, -0.53, 0.27, 0.13, -0.3), l.second, 0.9),
      P(circle(0.35, -0.76, 0.17), l.main, 1.05),
      P(poly([0.5, -0.8], [0.72, -0.74], [0.5, -0.69]), beak),
      P(circle(0.4, -0.8, 0.03), eye),
    ]
  }
  // In flight: wings raised, no legs; the local origin is under the body, placement puts it in the sky.
  return [
    P(poly([-0.05, -0.5], [0.2, -0.5], [-0.25, -1.0]), l.second, 0.8),
    P(poly([-0.55, -0.42], [-0.95, -0.55], [-0.92, -0.32]), l.second),
    P(ellipse(0, -0.42, 0.45 * f(l, 0), 0.15), l.main),
    P(circle(0.45, -0.52, 0.13), l.main, 1.05),
    P(poly([0.56, -0.56], [0.75, -0.5], [0.56, -0.46]), beak),
    P(poly([-0.15, -0.45], [0.15, -0.45], [0.0, -0.02]), l.second, 1.05),
    P(circle(0.49, -0.55, 0.025), eye),
  ]
}

export function horse(l: Look): Part[] {
  const body = 0.5 * f(l, 0)
  const hoof = flat(l.accent)
  const legs = [
    [-body * 0.76, 0.8],
    [body * 0.6, 0.8],
    [-body * 0.6, 1],
    [body * 0.76, 1],
  ] as const
  const parts: Part[] = []
  for (const [x, shade] of legs) {
    parts.push(P(capsule(x, -0.56, x + 0.02, -0.04, 0.045), l.main, shade))
    parts.push(P(rect(x + 0.02, -0.025, 0.08, 0.05, 0.01), hoof, shade))
  }
  parts.push(
    P(capsule(-body * 0.98, -0.68, -body * 1.2, -0.3, 0.05), l.second),
    P(ellipse(0, -0.63, body, 0.17), l.main),
    P(poly([body * 0.55, -0.72], [body * 0.85, -0.55], [body + 0.13, -0.9], [body - 0.02, -0.97]), l.main),
    P(capsule(body * 0.62, -0.76, body - 0.02, -0.98, 0.035), l.second),
    P(ellipse(body + 0.15, -0.86, 0.17, 0.07, 0.7), l.main, 1.05),
    P(poly([body + 0.0, -0.96], [body + 0.02, -1.0], [body + 0.06, -0.95]), l.main),
    P(circle(body + 0.1, -0.92, 0.015), flat(l.detail)),
  )
  return parts
}
