/** Farm mode as the renderer sees it: whether runs go to a BullMQ farm, and where (never credentials). */
export interface FarmStatus {
  /** Runs are enqueued on the farm instead of running on this machine. */
  enabled: boolean
  /** The farm's address with any credentials replaced by *** (null: none set). */
  where: string | null
  /** The last connection check: null when none was made. */
  check: { ok: boolean; message: string; at: string } | null
}
