/**
 * The snapshots a stage folder keeps on disk: complete checkpoint folders <stage>/checkpoints/<iteration>/
 * (a state.json inside; half-written `.tmp-*` folders are not snapshots), with their size. No tfjs here:
 * the main thread lists snapshots without loading the engine.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface StageSnapshots {
  iterations: number[]
  bytes: number
}

function folderBytes(dir: string): number {
  let total = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) total += folderBytes(p)
    else if (e.isFile()) total += fs.statSync(p).size
  }
  return total
}

/** Checkpoint folder name of an iteration (as runs/checkpoint.ts writes it). */
export function snapshotDirName(iteration: number): string {
  return String(iteration).padStart(6, '0')
}

export function listSnapshots(stageDir: string): StageSnapshots {
  const root = path.join(stageDir, 'checkpoints')
  if (!fs.existsSync(root)) return { iterations: [], bytes: 0 }
  const iterations: number[] = []
  let bytes = 0
  for (const name of fs.readdirSync(root)) {
    if (!/^\d{6,}$/.test(name)) continue
    const dir = path.join(root, name)
    if (!fs.existsSync(path.join(dir, 'state.json'))) continue
    iterations.push(Number(name))
    bytes += folderBytes(dir)
  }
  return { iterations: iterations.sort((a, b) => a - b), bytes }
}
