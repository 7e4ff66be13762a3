import { describe, expect, it } from 'vitest'
import { formatRoute, parseRoute, type Route } from '../../src/renderer/src/nav/route'

describe('hash routes', () => {
  it('round-trips every route', () => {
    const routes: Route[] = [
      { name: 'start' },
      { name: 'library', target: null },
      { name: 'library', target: { kind: 'album', id: 3 } },
      { name: 'library', target: { kind: 'source', id: 12 } },
      { name: 'image', target: { kind: 'album', id: 3 }, imageId: 17 },
    ]
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r)
  })
  it('falls back on malformed hashes', () => {
    expect(parseRoute('')).toEqual({ name: 'start' })
    expect(parseRoute('#/nonsense')).toEqual({ name: 'start' })
    expect(parseRoute('#/album/abc')).toEqual({ name: 'library', target: null })
    expect(parseRoute('#/album/0')).toEqual({ name: 'library', target: null })
    expect(parseRoute('#/album/4/image/-1')).toEqual({ name: 'library', target: { kind: 'album', id: 4 } })
  })
})
