/**
 * The data a given iteration trains on is a pure function of (seed, iteration): no generator state is
 * carried from step to step, so a run resumed from a checkpoint at iteration k sees exactly the batches
 * k+1, k+2, … that the uninterrupted run saw, whatever happened to the process in between.
 */
import { makeShapesBatch, type ShapesBatch } from '../data/synthetic-shapes'
import { Rng } from '../train/rng'

/** A 32-bit seed for one iteration's batch (murmur3's finaliser over seed and iteration: well mixed). */
export function batchSeed(seed: number, iteration: number): number {
  let h = (seed ^ Math.imul(iteration + 1, 0x9e3779b9)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** The synthetic-shapes batch of `iteration` (1-based), values 0..255. */
export function shapesBatchAt(seed: number, iteration: number, batch: number, size: number): ShapesBatch {
  return makeShapesBatch(new Rng(batchSeed(seed, iteration)), batch, size)
}
