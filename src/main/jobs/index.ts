export {
  JobQueue,
  MAX_STORED_PROBLEMS,
  type JobContext,
  type JobFn,
  type JobSpec,
  type JobQueueOptions,
} from './job-queue'
export { RateWindow, etaSeconds } from './progress-rate'
