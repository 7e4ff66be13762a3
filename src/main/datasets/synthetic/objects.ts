/**
 * Each class's shape family, built from a look into parts. Frame: object-local units, 1 = object height,
 * origin at the bottom centre (where it touches the ground), v grows downwards (top ≈ −1), the object
 * faces +u. Parts are listed back to front; the object's mask is the union of its parts.
 */
import type { Look } from './looks'
import type { SynthClass } from './classes'
import { capsule, circle, ellipse, poly, rect, bounds, unionBox } from './shapes'
import { DARK, flat, P, f, type Built, type Part } from './parts'
import { bird, cat, dog, horse } from './objects-animals'
import { boat, bottle, car, chair, pottedplant, sofa, tvmonitor } from './objects-things'

export type { Built, Part } from './parts'

function exhaustive(x: never): never {
  throw new Error(`unhandled class ${String(x)}`)
}

export function buildObject(look: Look): Built {
  const parts = partsFor(look)
  return { parts, box: unionBox(parts.map((p) => bounds(p.shape))) }
}

function partsFor(look: Look): Part[] {
  const cls: SynthClass = look.cls
  switch (cls) {
    case 'person':
      return person(look)
    case 'car':
      return car(look)
    case 'dog':
      return dog(look)
    case 'cat':
      return cat(look)
    case 'chair':
      return chair(look)
    case 'bird':
      return bird(look)
    case 'bottle':
      return bottle(look)
    case 'tvmonitor':
      return tvmonitor(look)
    case 'pottedplant':
      return pottedplant(look)
    case 'boat':
      return boat(look)
    case 'horse':
      return horse(look)
    case 'sofa':
      return sofa(look)
    default:
      return exhaustive(cls)
  }
}

function person(l: Look): Part[] {
  const bw = 0.3 * f(l, 0)
  const skin = flat(l.accent, 0.04)
  const parts: Part[] = []
  if (l.variant === 0) {
    parts.push(
      P(capsule(-0.07, -0.47, -0.08, -0.04, 0.055), l.second, 0.95),
      P(capsule(0.07, -0.47, 0.08, -0.04, 0.055), l.second),
    )
    parts.push(
      P(ellipse(-0.07, -0.025, 0.065, 0.028), flat(DARK)),
      P(ellipse(0.1, -0.025, 0.065, 0.028), flat(DARK)),
    )
  } else {
    parts.push(
      P(capsule(-0.05, -0.3, -0.05, -0.04, 0.035), skin),
      P(capsule(0.05, -0.3, 0.05, -0.04, 0.035), skin),
    )
    parts.push(
      P(ellipse(-0.05, -0.025, 0.05, 0.025), flat(DARK)),
      P(ellipse(0.07, -0.025, 0.05, 0.025), flat(DARK)),
    )
    parts.push(P(poly([-0.14, -0.52], [0.14, -0.52], [0.21, -0.27], [-0.21, -0.27]), l.second))
  }
  parts.push(P(rect(0, -0.8, 0.07, 0.07), skin))
  parts.push(P(rect(0, -0.63, bw, 0.34, 0.07), l.main))
  parts.push(P(capsule(-bw / 2 - 0.01, -0.75, -bw / 2 - 0.06, -0.48, 0.045), l.main, 0.9))
  parts.push(P(capsule(bw / 2 + 0.01, -0.75, bw / 2 + 0.06, -0.48, 0.045), l.main, 1.05))
  parts.push(P(circle(-bw / 2 - 0.06, -0.45, 0.035), skin), P(circle(bw / 2 + 0.06, -0.45, 0.035), skin))
  parts.push(P(ellipse(-0.005, -0.9, 0.1, 0.095), flat(l.detail, 0.1)))
  parts.push(P(ellipse(0.01, -0.86, 0.085, 0.095), skin))
  parts.push(P(circle(0.055, -0.875, 0.012), flat(DARK)))
  return parts
}
