/**
 * The media ref named by the path of a media URL (`/media/<ref>` in browser mode,
 * `pss-media://media/<ref>` in Electron).
 *
 * Refs are URL-safe strings already (`mediaRef.file` percent-encodes each path segment, and
 * `resolveMedia` decodes them), so the ref is the path as sent, NOT decoded here: decoding in the
 * door too would decode twice and turn a file literally named `a%41.png` into `aA.png`.
 * `resolveMedia` is the judge; as a second line, this refuses anything whose decoded form has
 * traversal shapes (`..`, `.`, empty segments, a leading `/`, backslashes, NUL) or bad escapes.
 */
import { safeDecode } from './http-util'

export function refFromMediaPath(encodedRef: string): string | null {
  if (encodedRef.length === 0 || encodedRef.length > 8192) return null
  const decoded = safeDecode(encodedRef)
  if (decoded === null) return null
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.startsWith('/')) return null
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return null
  }
  return encodedRef
}
