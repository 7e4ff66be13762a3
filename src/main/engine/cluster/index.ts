/** Album clustering: features, k-means++, silhouette, agreement measures, and the worker entry points. */
export { kmeans, squaredDistance, ClusterError, type KMeansOptions, type KMeansResult } from './kmeans'
export { silhouette, kmeansAutoK, defaultK, autoKRange, distanceMatrix, type AutoKResult } from './silhouette'
export { adjustedRandIndex, purity } from './agreement'
export { colorDescriptor, colorFeaturesOfFile, COLOR_FEATURES_VERSION } from './color-features'
export {
  parseClusterRequest,
  ClusterRequestError,
  CLUSTER_FEATURE_KINDS,
  type ClusterFeatureKind,
  type ClusterRequest,
  type ClusterRequestInput,
  type ClusteringMeta,
  type ClusterOutcome,
  type FeatureRecord,
} from './cluster-request'
export {
  startClusterWorker,
  type ClusterWorkerHandle,
  type ClusterWorkerOptions,
} from './start-cluster-worker'
