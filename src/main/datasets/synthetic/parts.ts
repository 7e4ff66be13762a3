/** Parts: the pieces object builders assemble, and the small helpers they share. */
import type { Look } from './looks'
import type { Box, Shape } from './shapes'
import type { Paint, Rgb } from './textures'

export interface Part {
  shape: Shape
  paint: Paint
  /** Brightness factor for the part (shadowed far legs, lighter cushions). */
  shade: number
}

export interface Built {
  parts: Part[]
  /** Bounds of all parts, in local units. */
  box: Box
}

export const flat = (color: Rgb, grain = 0.03): Paint => ({ kind: 'flat', color, seed: 0, grain })
export const DARK: Rgb = [18, 16, 15]

export const P = (shape: Shape, paint: Paint, shade = 1): Part => ({ shape, paint, shade })
export const f = (look: Look, i: number): number => look.build[i] ?? 1
