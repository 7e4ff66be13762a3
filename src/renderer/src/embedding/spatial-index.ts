/**
 * A uniform-grid spatial index over points in data space (the embedding's [0, 1]² layout): hit-testing
 * the point under the cursor and lasso selection visit only the cells they touch, so both stay cheap at
 * 10,000+ points. Pure; built once per layout.
 */

export interface Point2 {
  x: number
  y: number
}

export class GridIndex {
  readonly side: number
  private readonly cellStart: Int32Array
  private readonly cellItems: Int32Array
  private readonly minX: number
  private readonly minY: number
  private readonly span: number

  constructor(
    readonly xs: ArrayLike<number>,
    readonly ys: ArrayLike<number>,
  ) {
    const n = xs.length
    if (ys.length !== n) throw new Error(`${n} x values but ${ys.length} y values`)
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, xs[i]!)
      maxX = Math.max(maxX, xs[i]!)
      minY = Math.min(minY, ys[i]!)
      maxY = Math.max(maxY, ys[i]!)
    }
    this.minX = n ? minX : 0
    this.minY = n ? minY : 0
    this.span = n ? Math.max(maxX - minX, maxY - minY, 1e-9) : 1
    // About 4 points per cell on average.
    this.side = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(n / 4))))
    const cells = this.side * this.side
    const counts = new Int32Array(cells + 1)
    const cellOf = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const c = this.cellIndex(xs[i]!, ys[i]!)
      cellOf[i] = c
      counts[c + 1]!++
    }
    for (let c = 0; c < cells; c++) counts[c + 1]! += counts[c]!
    this.cellStart = counts
    this.cellItems = new Int32Array(n)
    const fill = counts.slice(0, cells)
    for (let i = 0; i < n; i++) this.cellItems[fill[cellOf[i]!]!++] = i
  }

  private coord(v: number, min: number): number {
    return Math.min(this.side - 1, Math.max(0, Math.floor(((v - min) / this.span) * this.side)))
  }

  private cellIndex(x: number, y: number): number {
    return this.coord(y, this.minY) * this.side + this.coord(x, this.minX)
  }

  /** Calls `visit(i)` for every point in cells overlapping the box. */
  private eachInBox(x0: number, y0: number, x1: number, y1: number, visit: (i: number) => void): void {
    const cx0 = this.coord(x0, this.minX)
    const cx1 = this.coord(x1, this.minX)
    const cy0 = this.coord(y0, this.minY)
    const cy1 = this.coord(y1, this.minY)
    for (let cy = cy0; cy <= cy1; cy++)
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * this.side + cx
        for (let k = this.cellStart[c]!; k < this.cellStart[c + 1]!; k++) visit(this.cellItems[k]!)
      }
  }

  /** Index of the nearest point within `radius` (data units) of (x, y), or −1. Ties: lowest index. */
  nearest(x: number, y: number, radius: number): number {
    let best = -1
    let bestD = radius * radius
    this.eachInBox(x - radius, y - radius, x + radius, y + radius, (i) => {
      const dx = this.xs[i]! - x
      const dy = this.ys[i]! - y
      const d = dx * dx + dy * dy
      if (d < bestD || (d === bestD && (best < 0 || i < best))) {
        best = i
        bestD = d
      }
    })
    return best
  }

  /** Indices (ascending) of the points inside the polygon (data units; even-odd rule). */
  inPolygon(poly: readonly Point2[]): number[] {
    if (poly.length < 3) return []
    let x0 = Infinity
    let y0 = Infinity
    let x1 = -Infinity
    let y1 = -Infinity
    for (const p of poly) {
      x0 = Math.min(x0, p.x)
      y0 = Math.min(y0, p.y)
      x1 = Math.max(x1, p.x)
      y1 = Math.max(y1, p.y)
    }
    const out: number[] = []
    this.eachInBox(x0, y0, x1, y1, (i) => {
      const x = this.xs[i]!
      const y = this.ys[i]!
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1 && pointInPolygon(x, y, poly)) out.push(i)
    })
    return out.sort((a, b) => a - b)
  }
}

/** Even-odd ray casting. */
export function pointInPolygon(x: number, y: number, poly: readonly Point2[]): boolean {
  let inside = false
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!
    const b = poly[j]!
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside
  }
  return inside
}
