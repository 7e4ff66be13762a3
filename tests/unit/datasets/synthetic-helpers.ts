/** Shared helpers for the synthetic-benchmark tests: reading the generated layout back from disk. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import sharp from 'sharp'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { parseVocClass } from '../../../src/shared/voc'

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pss-synth-${prefix}-`))
}

export function readLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
}

/** sha256 of every file under `root`, keyed by relative path. */
export function hashTree(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else
        out.set(path.relative(root, p), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'))
    }
  }
  walk(root)
  return out
}

/** `x.jpg:cls,cls` → name → sorted class ids. */
export function readLabelList(file: string): Map<string, number[]> {
  const out = new Map<string, number[]>()
  for (const line of readLines(file)) {
    const m = /^(.+)\.jpg:(.*)$/.exec(line)
    if (!m) throw new Error(`bad imgLabelList line ${JSON.stringify(line)}`)
    const ids = m[2]!.split(',').map((t) => {
      const id = parseVocClass(t)
      if (id === null) throw new Error(`unknown class ${t}`)
      return id
    })
    out.set(
      m[1]!,
      ids.sort((a, b) => a - b),
    )
  }
  return out
}

/** PIS list line `/JPEGImages/x.jpg /SegmentationClass/x.png n` → [name, n]. */
export function parsePisLine(line: string): [string, number] {
  const m = /^\/JPEGImages\/(.+)\.jpg \/SegmentationClass\/(.+)\.png (\d+)$/.exec(line)
  if (!m || m[1] !== m[2]) throw new Error(`bad PIS list line ${JSON.stringify(line)}`)
  return [m[1]!, Number(m[3])]
}

export function maskClasses(pngFile: string): {
  width: number
  height: number
  values: Set<number>
  classes: number[]
} {
  const m = decodeLabelPng(fs.readFileSync(pngFile))
  const values = new Set<number>()
  for (const v of m.labels) values.add(v)
  const classes = [...values].filter((v) => v !== 0 && v !== 255).sort((a, b) => a - b)
  return { width: m.width, height: m.height, values, classes }
}

/** Decodes a JPEG with sharp and returns its size and per-channel sums. */
export async function jpegStats(
  file: string,
): Promise<{ width: number; height: number; sum: [number, number, number]; pixels: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const sum: [number, number, number] = [0, 0, 0]
  for (let i = 0; i < data.length; i += info.channels) {
    sum[0] += data[i]!
    sum[1] += data[i + 1]!
    sum[2] += data[i + 2]!
  }
  return { width: info.width, height: info.height, sum, pixels: info.width * info.height }
}

/** Image-level class frequency: share of all (image, class) tags held by each class id. */
export function tagDistribution(tags: Iterable<readonly number[]>): Map<number, number> {
  const counts = new Map<number, number>()
  let total = 0
  for (const t of tags) {
    for (const c of t) {
      counts.set(c, (counts.get(c) ?? 0) + 1)
      total++
    }
  }
  for (const [c, n] of counts) counts.set(c, n / total)
  return counts
}

export function totalVariation(a: Map<number, number>, b: Map<number, number>): number {
  let d = 0
  for (const c of new Set([...a.keys(), ...b.keys()])) d += Math.abs((a.get(c) ?? 0) - (b.get(c) ?? 0))
  return d / 2
}
