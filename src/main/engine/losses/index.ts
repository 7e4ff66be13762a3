export { crossEntropyIgnore, IGNORE_LABEL } from './cross-entropy'
export { entropyMap, meanEntropy } from './entropy'
export { bceWithLogits } from './bce'
