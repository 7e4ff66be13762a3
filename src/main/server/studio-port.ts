/**
 * What the doors (browser-mode server, Electron IPC, media protocols) use of the studio: dispatch,
 * events and media resolution — nothing of the store behind it.
 */
import type { Studio } from '../app/studio'

export type StudioPort = Pick<Studio, 'dispatch' | 'on' | 'resolveMedia'>
export type { ResolvedMedia } from '../app/media-resolver'
