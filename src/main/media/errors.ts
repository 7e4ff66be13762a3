/** Why an image file cannot be used. Every message names the problem in words a user can act on. */
export const MediaErrorKind = {
  /** The file could not be read at all (missing, permission denied, a folder…). */
  Unreadable: 'unreadable',
  /** Zero bytes. */
  Empty: 'empty',
  /** The content is not an image of any kind we recognise (text, PDF, …), whatever the extension says. */
  NotAnImage: 'not-an-image',
  /** An image, but of a format the studio does not take (GIF, TIFF, BMP, HEIC, SVG…). */
  Unsupported: 'unsupported-format',
  /** More pixels than the configured limit. */
  TooLarge: 'too-large',
  /** Recognised format but the data is damaged or cut short. */
  Corrupt: 'corrupt',
} as const
export type MediaErrorKind = (typeof MediaErrorKind)[keyof typeof MediaErrorKind]

export class MediaError extends Error {
  override readonly name = 'MediaError'
  constructor(
    readonly kind: MediaErrorKind,
    message: string,
  ) {
    super(message)
  }
}

/** sharp/libvips messages carry a loader prefix ("VipsJpeg: ") that means nothing to a user. */
export function cleanSharpMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e)
  return msg
    .replace(/^(Vips\w+|\w+load(_\w+)?): /, '')
    .split('\n')[0]!
    .trim()
}
