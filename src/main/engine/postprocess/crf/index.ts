/** Dense CRF refinement (fully connected CRF, mean field, permutohedral-lattice filtering). */
export { CRF_DEFAULTS, CrfParamsSchema, crfParams, type CrfParams, type CrfParamsInput } from './crf-params'
export {
  argmaxRows,
  bilateralFeatures,
  denseCrf,
  spatialFeatures,
  PROB_FLOOR,
  type CrfImage,
  type DenseCrfOptions,
} from './dense-crf'
export { ExactGaussianFilter, EXACT_FILTER_MAX_POINTS } from './exact-filter'
export { FILTER_KINDS, type FilterKind, type GaussianFilter } from './gaussian-filter'
export { PermutohedralLattice } from './permutohedral'
