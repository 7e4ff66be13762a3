/**
 * Small outdoor scenes for the browser e2e test: a photo (SVG rendered by sharp to JPEG) and its exact
 * label map (the same shapes rasterised here), so imported masks line up with their photos. Objects
 * are VOC classes (person, dog, car, pottedplant, bird) with a 2-pixel void (255) border as in VOC.
 */
import sharp from 'sharp'

export interface Scene {
  jpeg: Buffer
  width: number
  height: number
  /** One VOC label per pixel, row-major. */
  labels: Uint8Array
  /** VOC class ids present. */
  classes: number[]
}

type Shape =
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number }
  | { kind: 'rect'; x: number; y: number; w: number; h: number }
  | { kind: 'poly'; pts: [number, number][] }

interface Obj {
  cls: number
  shapes: Shape[]
  colour: string
  shade: string
}

/** Mulberry32: small deterministic RNG so each scene is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SKIES = [
  ['#4f86cf', '#bcd8f1'],
  ['#36407a', '#f0a35e'],
  ['#7b8898', '#d8dee5'],
  ['#2f6fb3', '#9fd0ec'],
]
const GROUNDS = [
  ['#5d8a3f', '#2f5223'],
  ['#c2ab74', '#8f784a'],
  ['#7a9a52', '#44612c'],
  ['#9c9488', '#5f5a52'],
]
const COATS = ['#c77d3a', '#3b2f28', '#e4d7c3', '#8a5a35', '#555049']
const PAINTS = ['#c0392b', '#2e6fb7', '#e8e4da', '#2c2f33', '#d9a21b', '#3f8f5a']
const CLOTHES = ['#2b6cb0', '#b83280', '#2f855a', '#dd6b20', '#4a5568', '#805ad5']

function person(x: number, ground: number, s: number, r: () => number): Obj {
  const h = 150 * s
  const w = 34 * s
  const top = ground - h
  return {
    cls: 15,
    colour: CLOTHES[Math.floor(r() * CLOTHES.length)]!,
    shade: '#1d2a3a',
    shapes: [
      { kind: 'ellipse', cx: x, cy: top + 13 * s, rx: 11 * s, ry: 13 * s },
      { kind: 'rect', x: x - w / 2, y: top + 26 * s, w, h: 62 * s },
      { kind: 'rect', x: x - w / 2, y: top + 86 * s, w: w * 0.42, h: h - 86 * s },
      { kind: 'rect', x: x + w * 0.08, y: top + 86 * s, w: w * 0.42, h: h - 86 * s },
    ],
  }
}

function dog(x: number, ground: number, s: number, r: () => number, facing: 1 | -1): Obj {
  const bodyY = ground - 46 * s
  return {
    cls: 12,
    colour: COATS[Math.floor(r() * COATS.length)]!,
    shade: '#241a12',
    shapes: [
      { kind: 'ellipse', cx: x, cy: bodyY, rx: 46 * s, ry: 20 * s },
      { kind: 'ellipse', cx: x + facing * 48 * s, cy: bodyY - 20 * s, rx: 17 * s, ry: 14 * s },
      {
        kind: 'poly',
        pts: [
          [x + facing * 40 * s, bodyY - 30 * s],
          [x + facing * 50 * s, bodyY - 46 * s],
          [x + facing * 54 * s, bodyY - 28 * s],
        ],
      },
      { kind: 'rect', x: x - 36 * s, y: bodyY, w: 10 * s, h: 46 * s },
      { kind: 'rect', x: x + 24 * s, y: bodyY, w: 10 * s, h: 46 * s },
      {
        kind: 'poly',
        pts: [
          [x - facing * 42 * s, bodyY - 8 * s],
          [x - facing * 66 * s, bodyY - 30 * s],
          [x - facing * 46 * s, bodyY - 2 * s],
        ],
      },
    ],
  }
}

function car(x: number, ground: number, s: number, r: () => number): Obj {
  const w = 170 * s
  const bodyTop = ground - 62 * s
  return {
    cls: 7,
    colour: PAINTS[Math.floor(r() * PAINTS.length)]!,
    shade: '#111418',
    shapes: [
      {
        kind: 'poly',
        pts: [
          [x - w * 0.28, bodyTop],
          [x - w * 0.16, bodyTop - 34 * s],
          [x + w * 0.2, bodyTop - 34 * s],
          [x + w * 0.34, bodyTop],
        ],
      },
      { kind: 'rect', x: x - w / 2, y: bodyTop, w, h: 44 * s },
      { kind: 'ellipse', cx: x - w * 0.3, cy: ground - 16 * s, rx: 17 * s, ry: 17 * s },
      { kind: 'ellipse', cx: x + w * 0.3, cy: ground - 16 * s, rx: 17 * s, ry: 17 * s },
    ],
  }
}

function plant(x: number, ground: number, s: number): Obj {
  return {
    cls: 16,
    colour: '#3f8f4a',
    shade: '#1d4a24',
    shapes: [
      {
        kind: 'poly',
        pts: [
          [x - 22 * s, ground - 40 * s],
          [x + 22 * s, ground - 40 * s],
          [x + 16 * s, ground],
          [x - 16 * s, ground],
        ],
      },
      { kind: 'ellipse', cx: x, cy: ground - 70 * s, rx: 34 * s, ry: 32 * s },
      { kind: 'ellipse', cx: x - 22 * s, cy: ground - 56 * s, rx: 18 * s, ry: 16 * s },
      { kind: 'ellipse', cx: x + 22 * s, cy: ground - 58 * s, rx: 18 * s, ry: 16 * s },
    ],
  }
}

function bird(x: number, y: number, s: number): Obj {
  return {
    cls: 3,
    colour: '#2d3340',
    shade: '#0e1117',
    shapes: [
      { kind: 'ellipse', cx: x, cy: y, rx: 14 * s, ry: 6 * s },
      {
        kind: 'poly',
        pts: [
          [x - 4 * s, y - 2 * s],
          [x - 22 * s, y - 18 * s],
          [x + 6 * s, y - 3 * s],
        ],
      },
      {
        kind: 'poly',
        pts: [
          [x + 2 * s, y - 2 * s],
          [x + 18 * s, y - 20 * s],
          [x + 10 * s, y - 2 * s],
        ],
      },
    ],
  }
}

function inside(shape: Shape, px: number, py: number): boolean {
  switch (shape.kind) {
    case 'ellipse': {
      const dx = (px - shape.cx) / shape.rx
      const dy = (py - shape.cy) / shape.ry
      return dx * dx + dy * dy <= 1
    }
    case 'rect':
      return px >= shape.x && px < shape.x + shape.w && py >= shape.y && py < shape.y + shape.h
    case 'poly': {
      let c = false
      const p = shape.pts
      for (let i = 0, j = p.length - 1; i < p.length; j = i++) {
        const [xi, yi] = p[i]!
        const [xj, yj] = p[j]!
        if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) c = !c
      }
      return c
    }
  }
}

function bbox(shape: Shape): [number, number, number, number] {
  switch (shape.kind) {
    case 'ellipse':
      return [shape.cx - shape.rx, shape.cy - shape.ry, shape.cx + shape.rx, shape.cy + shape.ry]
    case 'rect':
      return [shape.x, shape.y, shape.x + shape.w, shape.y + shape.h]
    case 'poly': {
      const xs = shape.pts.map((q) => q[0])
      const ys = shape.pts.map((q) => q[1])
      return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]
    }
  }
}

function svgShape(shape: Shape, fill: string): string {
  switch (shape.kind) {
    case 'ellipse':
      return `<ellipse cx="${shape.cx}" cy="${shape.cy}" rx="${shape.rx}" ry="${shape.ry}" fill="${fill}"/>`
    case 'rect':
      return `<rect x="${shape.x}" y="${shape.y}" width="${shape.w}" height="${shape.h}" fill="${fill}"/>`
    case 'poly':
      return `<polygon points="${shape.pts.map((q) => q.join(',')).join(' ')}" fill="${fill}"/>`
  }
}

/** One scene; `withObjects` false gives a plain landscape (background only). */
export async function makeScene(seed: number, width = 640, height = 480, withObjects = true): Promise<Scene> {
  const r = rng(seed * 7919 + 17)
  const sky = SKIES[Math.floor(r() * SKIES.length)]!
  const grd = GROUNDS[Math.floor(r() * GROUNDS.length)]!
  const horizon = Math.round(height * (0.5 + r() * 0.16))
  const objs: Obj[] = []
  if (withObjects) {
    const n = 1 + Math.floor(r() * 3)
    for (let i = 0; i < n; i++) {
      const kind = Math.floor(r() * 5)
      const s = 1.0 + r() * 0.8
      const x = width * (0.15 + 0.7 * ((i + r() * 0.8) / n))
      const ground = Math.min(height - 8, horizon + 40 + r() * (height - horizon - 40))
      if (kind === 0) objs.push(person(x, ground, s * 1.3, r))
      else if (kind === 1) objs.push(dog(x, ground, s, r, r() < 0.5 ? 1 : -1))
      else if (kind === 2) objs.push(car(x, ground, s, r))
      else if (kind === 3) objs.push(plant(x, ground, s))
      else objs.push(bird(x, horizon * (0.2 + r() * 0.5), s * 1.4))
    }
    // Nearer objects (lower on the ground) are drawn last, over farther ones.
    objs.sort(
      (a, b) => Math.max(...a.shapes.map((q) => bbox(q)[3])) - Math.max(...b.shapes.map((q) => bbox(q)[3])),
    )
  }

  const hills = Array.from({ length: 3 }, (_, i) => {
    const cx = width * (0.15 + i * 0.35 + r() * 0.1)
    return `<ellipse cx="${cx}" cy="${horizon + 10}" rx="${width * (0.25 + r() * 0.15)}" ry="${40 + r() * 50}" fill="${grd[1]}" opacity="0.55"/>`
  }).join('')
  const sun =
    r() < 0.6
      ? `<circle cx="${width * (0.1 + r() * 0.8)}" cy="${horizon * (0.2 + r() * 0.3)}" r="${18 + r() * 14}" fill="#fff6d8" opacity="0.85"/>`
      : ''
  const defs = objs
    .map(
      (o, i) =>
        `<linearGradient id="g${i}" x1="0" y1="0" x2="0.4" y2="1"><stop offset="0" stop-color="${o.colour}"/><stop offset="1" stop-color="${o.shade}"/></linearGradient>`,
    )
    .join('')
  const shadows = objs
    .map((o) => {
      const [x0, , x1, y1] = o.shapes
        .map(bbox)
        .reduce((a, b) => [
          Math.min(a[0], b[0]),
          Math.min(a[1], b[1]),
          Math.max(a[2], b[2]),
          Math.max(a[3], b[3]),
        ])
      return o.cls === 3
        ? ''
        : `<ellipse cx="${(x0 + x1) / 2}" cy="${y1}" rx="${(x1 - x0) * 0.55}" ry="6" fill="#000" opacity="0.25"/>`
    })
    .join('')
  const bodies = objs.map((o, i) => o.shapes.map((q) => svgShape(q, `url(#g${i})`)).join('')).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs>
<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky[0]}"/><stop offset="1" stop-color="${sky[1]}"/></linearGradient>
<linearGradient id="ground" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${grd[0]}"/><stop offset="1" stop-color="${grd[1]}"/></linearGradient>
<filter id="grain"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="${seed % 1000}"/><feColorMatrix type="saturate" values="0"/><feComponentTransfer><feFuncA type="linear" slope="0.10"/></feComponentTransfer></filter>
${defs}
</defs>
<rect width="${width}" height="${horizon}" fill="url(#sky)"/>${sun}${hills}
<rect y="${horizon}" width="${width}" height="${height - horizon}" fill="url(#ground)"/>
${shadows}${bodies}
<rect width="${width}" height="${height}" filter="url(#grain)"/>
</svg>`
  const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer()

  const labels = new Uint8Array(width * height)
  for (const o of objs) {
    for (const q of o.shapes) {
      const [x0, y0, x1, y1] = bbox(q)
      for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1) + 1); y++) {
        for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1) + 1); x++) {
          if (inside(q, x + 0.5, y + 0.5)) labels[y * width + x] = o.cls
        }
      }
    }
  }
  // VOC marks object boundaries as void (255): every pixel whose right or lower neighbour differs.
  const edges: number[] = []
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      if (
        (x + 1 < width && labels[i + 1] !== labels[i]) ||
        (y + 1 < height && labels[i + width] !== labels[i])
      )
        edges.push(i)
    }
  }
  for (const i of edges) {
    labels[i] = 255
    if (i + 1 < labels.length) labels[i + 1] = 255
  }
  const classes = [...new Set(objs.map((o) => o.cls))].sort((a, b) => a - b)
  return { jpeg, width, height, labels, classes }
}
