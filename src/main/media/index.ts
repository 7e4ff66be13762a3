/** Media: probing, decoding, thumbnails, hashing and label masks. Everything image-shaped goes through here. */
export { MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS_ENV, resolveMaxPixels, formatMegapixels } from './limits'
export { MediaError, MediaErrorKind } from './errors'
export {
  ACCEPTED_FORMATS,
  ACCEPTED_FORMATS_TEXT,
  IMAGE_EXTENSIONS,
  UNSUPPORTED_IMAGE_EXTENSIONS,
  sniffFormat,
  type AcceptedFormat,
  type SniffedFormat,
} from './formats'
export { probeImage, type ImageProbe, type ProbeOptions } from './probe'
export { makeThumbnail, THUMBNAIL_LONG_SIDE, type ThumbnailOptions } from './thumbnail'
export { decodeRgb, type RgbImage, type DecodeOptions } from './decode'
export { hashFile, hashBytes } from './hash'
export { readMaskFile, readMask, parseMask, MaskError, MaskErrorKind, type MaskLabels } from './mask-file'
export { encodeLabelPng, decodeLabelPng, labelHistogram, LabelPngError, type LabelMap } from './label-png'
