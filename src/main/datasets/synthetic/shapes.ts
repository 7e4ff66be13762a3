/**
 * Shape primitives and their point tests. A shape lives in its owner's frame (object-local units for
 * object parts, scene units for background layers); the rasteriser maps each pixel centre into that
 * frame and asks `contains`. Masks are therefore exactly the rasterised shapes: the pixel is inside or not.
 */

export type Shape =
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number; rot: number }
  /** Rectangle centred at (cx, cy), rotated by `rot`, with rounded corners of radius `r`. */
  | { kind: 'rect'; cx: number; cy: number; w: number; h: number; rot: number; r: number }
  /** Polygon, even–odd rule (concave polygons are fine). */
  | { kind: 'poly'; pts: readonly (readonly [number, number])[] }
  /** Segment from (x1, y1) to (x2, y2) thickened by radius r (limbs, tails, masts). */
  | { kind: 'capsule'; x1: number; y1: number; x2: number; y2: number; r: number }

export interface Box {
  x0: number
  y0: number
  x1: number
  y1: number
}

function exhaustive(x: never): never {
  throw new Error(`unhandled shape ${String(x)}`)
}

export const ellipse = (cx: number, cy: number, rx: number, ry: number, rot = 0): Shape => {
  if (!(rx > 0 && ry > 0)) throw new Error(`ellipse with non-positive radii ${rx}, ${ry}`)
  return { kind: 'ellipse', cx, cy, rx, ry, rot }
}
export const circle = (cx: number, cy: number, r: number): Shape => ellipse(cx, cy, r, r)
export const rect = (cx: number, cy: number, w: number, h: number, r = 0, rot = 0): Shape => {
  // A negative size would silently draw nothing; that is always a layout mistake in a builder.
  if (!(w > 0 && h > 0)) throw new Error(`rect with non-positive size ${w}×${h}`)
  return { kind: 'rect', cx, cy, w, h, rot, r }
}
/** Axis-aligned rectangle from its edges (convenient for layouts). */
export const box = (x0: number, y0: number, x1: number, y1: number, r = 0): Shape =>
  rect((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0, r)
export const poly = (...pts: [number, number][]): Shape => ({ kind: 'poly', pts })
export const capsule = (x1: number, y1: number, x2: number, y2: number, r: number): Shape => ({
  kind: 'capsule',
  x1,
  y1,
  x2,
  y2,
  r,
})

export function contains(s: Shape, x: number, y: number): boolean {
  switch (s.kind) {
    case 'ellipse': {
      let dx = x - s.cx
      let dy = y - s.cy
      if (s.rot !== 0) {
        const c = Math.cos(s.rot)
        const sn = Math.sin(s.rot)
        const rx = dx * c + dy * sn
        dy = -dx * sn + dy * c
        dx = rx
      }
      return (dx * dx) / (s.rx * s.rx) + (dy * dy) / (s.ry * s.ry) <= 1
    }
    case 'rect': {
      let dx = x - s.cx
      let dy = y - s.cy
      if (s.rot !== 0) {
        const c = Math.cos(s.rot)
        const sn = Math.sin(s.rot)
        const rx = dx * c + dy * sn
        dy = -dx * sn + dy * c
        dx = rx
      }
      const hx = s.w / 2
      const hy = s.h / 2
      const ax = Math.abs(dx)
      const ay = Math.abs(dy)
      if (ax > hx || ay > hy) return false
      const r = Math.min(s.r, hx, hy)
      if (r <= 0) return true
      const qx = ax - (hx - r)
      const qy = ay - (hy - r)
      if (qx <= 0 || qy <= 0) return true
      return qx * qx + qy * qy <= r * r
    }
    case 'poly': {
      let inside = false
      const pts = s.pts
      for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
        const [xi, yi] = pts[i]!
        const [xj, yj] = pts[j]!
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
      }
      return inside
    }
    case 'capsule': {
      const vx = s.x2 - s.x1
      const vy = s.y2 - s.y1
      const len2 = vx * vx + vy * vy
      let t = len2 > 0 ? ((x - s.x1) * vx + (y - s.y1) * vy) / len2 : 0
      t = t < 0 ? 0 : t > 1 ? 1 : t
      const dx = x - (s.x1 + t * vx)
      const dy = y - (s.y1 + t * vy)
      return dx * dx + dy * dy <= s.r * s.r
    }
    default:
      return exhaustive(s)
  }
}

/** Axis-aligned bounds of a shape in its own frame (conservative for rotated shapes). */
export function bounds(s: Shape): Box {
  switch (s.kind) {
    case 'ellipse': {
      const c = Math.cos(s.rot)
      const sn = Math.sin(s.rot)
      const ex = Math.sqrt(s.rx * s.rx * c * c + s.ry * s.ry * sn * sn)
      const ey = Math.sqrt(s.rx * s.rx * sn * sn + s.ry * s.ry * c * c)
      return { x0: s.cx - ex, y0: s.cy - ey, x1: s.cx + ex, y1: s.cy + ey }
    }
    case 'rect': {
      const c = Math.abs(Math.cos(s.rot))
      const sn = Math.abs(Math.sin(s.rot))
      const ex = (s.w / 2) * c + (s.h / 2) * sn
      const ey = (s.w / 2) * sn + (s.h / 2) * c
      return { x0: s.cx - ex, y0: s.cy - ey, x1: s.cx + ex, y1: s.cy + ey }
    }
    case 'poly': {
      const b: Box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity }
      for (const [x, y] of s.pts) {
        b.x0 = Math.min(b.x0, x)
        b.y0 = Math.min(b.y0, y)
        b.x1 = Math.max(b.x1, x)
        b.y1 = Math.max(b.y1, y)
      }
      return b
    }
    case 'capsule':
      return {
        x0: Math.min(s.x1, s.x2) - s.r,
        y0: Math.min(s.y1, s.y2) - s.r,
        x1: Math.max(s.x1, s.x2) + s.r,
        y1: Math.max(s.y1, s.y2) + s.r,
      }
    default:
      return exhaustive(s)
  }
}

export function unionBox(boxes: readonly Box[]): Box {
  const b: Box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity }
  for (const x of boxes) {
    b.x0 = Math.min(b.x0, x.x0)
    b.y0 = Math.min(b.y0, x.y0)
    b.x1 = Math.max(b.x1, x.x1)
    b.y1 = Math.max(b.y1, x.y1)
  }
  return b
}
