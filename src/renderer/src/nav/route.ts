/**
 * Hash routes of the studio (no router library: three screens do not need one).
 *   #/                          start page
 *   #/library                   project open, nothing selected
 *   #/album/3   #/source/2      a grid
 *   #/album/3/image/17          the viewer over that grid
 */
import { exhaustive } from '../util/exhaustive'

export type LibraryTarget = { kind: 'album' | 'source'; id: number }

export type Route =
  | { name: 'start' }
  | { name: 'library'; target: LibraryTarget | null }
  | { name: 'image'; target: LibraryTarget; imageId: number }

function positiveInt(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return null
  const n = Number(s)
  return n > 0 ? n : null
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '')
  const [head, idText, sub, subId] = parts
  if (head === 'library') return { name: 'library', target: null }
  if (head === 'album' || head === 'source') {
    const id = positiveInt(idText)
    if (id === null) return { name: 'library', target: null }
    const target: LibraryTarget = { kind: head, id }
    const imageId = sub === 'image' ? positiveInt(subId) : null
    return imageId === null ? { name: 'library', target } : { name: 'image', target, imageId }
  }
  return { name: 'start' }
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'start':
      return '#/'
    case 'library':
      return route.target ? `#/${route.target.kind}/${route.target.id}` : '#/library'
    case 'image':
      return `#/${route.target.kind}/${route.target.id}/image/${route.imageId}`
    default:
      return exhaustive(route)
  }
}

export function sameTarget(a: LibraryTarget | null, b: LibraryTarget | null): boolean {
  return a === b || (a !== null && b !== null && a.kind === b.kind && a.id === b.id)
}
