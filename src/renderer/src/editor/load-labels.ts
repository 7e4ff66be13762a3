/** Fetches a stored mask PNG and returns its label indices (palette indices as stored, not colours). */
import { decode } from 'fast-png'

export async function fetchLabels(url: string, width: number, height: number): Promise<Uint8Array> {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`cannot load the mask (${res.status} ${res.statusText})`)
  const png = decode(new Uint8Array(await res.arrayBuffer()))
  if (png.width !== width || png.height !== height)
    throw new Error(`the mask is ${png.width}×${png.height}, the image ${width}×${height}`)
  if (png.channels !== 1 || png.depth !== 8)
    throw new Error('the mask is not an 8-bit palette or greyscale PNG')
  return Uint8Array.from(png.data as ArrayLike<number>).subarray(0, width * height)
}
