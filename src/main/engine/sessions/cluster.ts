/** Album clustering: colour or encoder features, then seeded k-means (see ../cluster). */
import type { ClusterProgress } from '../cluster/cluster-album'
import {
  parseClusterRequest,
  type ClusterOutcome,
  type ClusterRequest,
  type ClusterRequestInput,
} from '../cluster/cluster-request'
import type { FileProblem } from '../runs/file-dataset'
import { defineSession } from './session'

export type ClusterEvent = ({ type: 'progress' } & ClusterProgress) | ({ type: 'problem' } & FileProblem)

export const clusterSession = defineSession<
  ClusterRequestInput,
  ClusterRequest,
  ClusterEvent,
  ClusterOutcome
>({
  what: 'clustering',
  parse: parseClusterRequest,
})
