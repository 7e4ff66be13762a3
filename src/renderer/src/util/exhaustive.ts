/** For the `default:` of a switch over a union: a compile error when a case is missing. */
export function exhaustive(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`)
}
