/**
 * Index arithmetic for expressing convolution gradients as forward convolutions. Pure functions, one
 * spatial axis at a time (height and width are independent).
 *
 * Forward convolution along one axis: y[o] = Σ_k x[o·s + k·d − p] · f[k], for o in [0, O).
 */

export interface FilterGradAxis {
  /** Zero padding before/after x for the helper convolution. */
  padBefore: number
  padAfter: number
  /** Length of the helper convolution's output along this axis (≥ k; the first k are the gradient). */
  convOut: number
}

/**
 * dW[k] = Σ_o x[o·s + k·d − p] · dy[o] is a forward convolution of the padded x (as the "image") with dy (as
 * the "filter") where the roles swap: the original dilation d becomes the stride and the original stride s
 * becomes the dilation. Pads the far end just enough for k outputs; extra outputs are cropped.
 */
export function filterGradAxis(
  inSize: number,
  outSize: number,
  k: number,
  stride: number,
  dilation: number,
  padBefore: number,
): FilterGradAxis {
  const span = (outSize - 1) * stride + 1 // effective extent of dy used as a dilated filter
  const need = (k - 1) * dilation + span
  const padAfter = Math.max(0, need - inSize - padBefore)
  const convOut = Math.floor((inSize + padBefore + padAfter - span) / dilation) + 1
  return { padBefore, padAfter, convOut }
}

export interface InputGradAxis {
  /** Zero padding around the (zero-inserted) dy for the helper convolution. */
  padBefore: number
  padAfter: number
  /** Where dx starts in the helper convolution's output (crop begin); dx has inSize elements. */
  cropBegin: number
}

/**
 * dx[i] = Σ_k dz[i + p − k·d] · f[k], where dz is dy with s−1 zeros inserted after every element
 * (length `zLength`, which may include trailing zeros). Substituting k' = K−1−k turns it into a forward
 * correlation of dz, padded by (K−1)·d − p in front, with the reversed filter at dilation d.
 */
export function inputGradAxis(
  inSize: number,
  zLength: number,
  k: number,
  dilation: number,
  padBefore: number,
): InputGradAxis {
  const front = (k - 1) * dilation - padBefore
  const pb = Math.max(0, front)
  const cropBegin = Math.max(0, -front)
  const span = (k - 1) * dilation
  const padAfter = Math.max(0, cropBegin + inSize + span - pb - zLength)
  return { padBefore: pb, padAfter, cropBegin }
}
