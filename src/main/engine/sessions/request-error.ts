/**
 * One parser for every engine request and config (the zod schemas stay next to what they configure, in
 * the `*-request.ts` / `*-config.ts` files): a failed parse throws a RequestError whose message names
 * what was asked and every bad field, e.g. "Invalid inference request: batch: Too small: expected …".
 * Requests are parsed on both sides of the worker boundary, so the same message reaches the caller
 * whether the request was refused at the call or inside the thread.
 */
import type { z } from 'zod'

export class RequestError extends Error {
  constructor(
    /** What was being parsed ("inference request", "training config", …). */
    readonly what: string,
    /** One "path: message" line per bad field. */
    readonly issues: string[],
  ) {
    super(`Invalid ${what}: ${issues.join('; ')}`)
    this.name = 'RequestError'
  }
}

/** The issues of a zod error as "path: message" lines ("(root)" for the value itself). */
export function zodIssueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
}

/** Validates `input` against `schema` (filling its defaults); throws a RequestError naming `what`. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input)
  if (!r.success) throw new RequestError(what, zodIssueLines(r.error))
  return r.data
}
