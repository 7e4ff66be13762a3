/** Waiting on a worker-thread job from a CLI command. */

/**
 * The job's result; an abort of `signal` (the CLI's Ctrl-C) while it is awaited cancels the job, which
 * then settles its result as it does on cancel. The listener is removed however the job ends.
 */
export async function awaitCancellable<T>(
  handle: { result: Promise<T>; cancel(): void },
  signal: AbortSignal,
): Promise<T> {
  const onAbort = (): void => handle.cancel()
  signal.addEventListener('abort', onAbort)
  try {
    return await handle.result
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
