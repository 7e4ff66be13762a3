/**
 * Every class's shape family, in every variant, rasterises to a solid object of its VOC id with the
 * planned size, and its mask is exactly where the pixels were painted.
 */
import { describe, expect, it } from 'vitest'
import { CLASS_SPECS, SYNTH_CLASSES } from '../../../src/main/datasets/synthetic/classes'
import type { ImageSpec, PlacedObject } from '../../../src/main/datasets/synthetic/compose'
import { sampleLook } from '../../../src/main/datasets/synthetic/looks'
import { buildObject } from '../../../src/main/datasets/synthetic/objects'
import { renderImage } from '../../../src/main/datasets/synthetic/render'
import { Rng } from '../../../src/main/datasets/synthetic/rng'
import { samplePlace } from '../../../src/main/datasets/synthetic/scenes'

const W = 160
const H = 120
const SIZE = 80

function sceneWith(obj: PlacedObject | null): ImageSpec {
  const place = samplePlace('indoor', new Rng(1), 'source')
  return {
    width: W,
    height: H,
    place,
    camera: { dx: 0, dy: 0, zoom: 1, light: 1 },
    objects: obj ? [obj] : [],
  }
}

describe('synthetic object shapes', () => {
  for (const cls of SYNTH_CLASSES) {
    for (const variant of [0, 1]) {
      for (const style of ['source', 'personal'] as const) {
        it(`${cls} (variant ${variant}, ${style} look) renders as a solid object of id ${CLASS_SPECS[cls].id}`, () => {
          const look = { ...sampleLook(cls, new Rng(variant + 10), style), variant }
          const built = buildObject(look)
          const obj: PlacedObject = {
            cls,
            look,
            built,
            x: W / 2,
            y: H - 10,
            size: SIZE,
            flip: 1,
            grounded: true,
          }
          const r = renderImage(sceneWith(obj), { bandRadius: 1 })
          expect(r.classes).toEqual([CLASS_SPECS[cls].id])

          // Rows and columns holding the class (band excluded): the object is about SIZE pixels tall.
          let top = H
          let bottom = -1
          let area = 0
          for (let y = 0; y < H; y++) {
            for (let x = 0; x < W; x++) {
              if (r.labels[y * W + x] !== CLASS_SPECS[cls].id) continue
              top = Math.min(top, y)
              bottom = Math.max(bottom, y)
              area++
            }
          }
          expect(bottom - top + 1).toBeGreaterThan(SIZE * 0.4)
          expect(bottom - top + 1).toBeLessThanOrEqual(SIZE + 1)
          const boxArea = (built.box.x1 - built.box.x0) * (built.box.y1 - built.box.y0) * SIZE * SIZE
          expect(area / boxArea).toBeGreaterThan(0.12)

          // Pixels outside the object and its band are untouched background: the same colour as the
          // empty scene, except where the object's contact shadow darkens the floor.
          const empty = renderImage(sceneWith(null), { bandRadius: 1 })
          let changedOutside = 0
          for (let i = 0; i < W * H; i++) {
            if (r.labels[i] !== 0) continue
            const same = [0, 1, 2].every((c) => Math.abs(r.rgb[i * 3 + c]! - empty.rgb[i * 3 + c]!) < 1e-3)
            const y = Math.floor(i / W)
            if (!same && Math.abs(y - (H - 10)) > SIZE * 0.1) changedOutside++
          }
          expect(changedOutside).toBe(0)
        })
      }
    }
  }
})
