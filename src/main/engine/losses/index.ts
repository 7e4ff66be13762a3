export { crossEntropyIgnore, IGNORE_LABEL } from './cross-entropy'
export { entropyMap, meanEntropy } from './entropy'
export { bceWithLogits } from './bce'
export { detach } from './detach'
export {
  maxSquareLoss,
  imageWiseMaxSquareLoss,
  imageWiseClassWeights,
  imageWisePixelWeights,
  maxSquareGuidanceLabels,
  MAXSQUARE_GUIDANCE_THRESHOLD,
} from './maxsquare'
export { robustEntropy, ROBUST_ENTROPY_EPS } from './robust-entropy'
export { pixelKl, memoryKl, pixelCrossEntropy, rectifiedCrossEntropy } from './kl'
