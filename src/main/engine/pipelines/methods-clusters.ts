/**
 * An album's groups from a PIS `train_cluster<K>.txt` (`/JPEGImages/x.jpg /SegmentationClass/x.png <g>`):
 * image name → group. When an album has several, the one with the smallest K ≥ N/8 (≈ 8 images per group,
 * one batch, the paper's K = 80 for ~670 images) is used, else the largest K.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parseValLine } from './pis-albums'

export interface AlbumClusters {
  file: string
  k: number
  groupOf: Map<string, number>
}

export function readAlbumClusters(albumDir: string, albumSize: number): AlbumClusters | null {
  const files = fs
    .readdirSync(albumDir)
    .map((f) => /^train_cluster(\d+)\.txt$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: path.join(albumDir, m[0]), k: Number(m[1]) }))
    .sort((a, b) => a.k - b.k)
  if (files.length === 0) return null
  const chosen = files.find((f) => f.k >= albumSize / 8) ?? files[files.length - 1]!
  const groupOf = new Map<string, number>()
  const lines = fs.readFileSync(chosen.file, 'utf8').split(/\r?\n/)
  lines.forEach((line, i) => {
    if (!line.trim()) return
    const parts = line.trim().split(/\s+/)
    const g = Number(parts[parts.length - 1])
    if (parts.length < 2 || !Number.isInteger(g) || g < 0) {
      throw new Error(`${chosen.file}:${i + 1}: expected "<image> <mask> <group>", got "${line.trim()}"`)
    }
    groupOf.set(parseValLine(line), g)
  })
  return { file: chosen.file, k: chosen.k, groupOf }
}
