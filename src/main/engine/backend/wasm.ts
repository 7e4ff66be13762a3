/**
 * The wasm backend in Node: its .wasm binaries are read from node_modules/@tensorflow/tfjs-backend-wasm/dist.
 * The paths must be set before anything initialises the backend (tfjs may pick 'wasm' by priority on the
 * first op), hence at import time of this module. In a packaged Electron app the .wasm files must be
 * outside the asar archive (asarUnpack).
 */
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { nodeRequire } from './node-require'

let pathProblem: string | null = null

function wasmDir(): string {
  const pkg = nodeRequire().resolve('@tensorflow/tfjs-backend-wasm/package.json')
  return path.join(path.dirname(pkg), 'dist') + path.sep
}

try {
  setWasmPaths(wasmDir())
} catch (e) {
  // Already initialised by someone else (then its paths worked) or the package cannot be resolved.
  pathProblem = e instanceof Error ? e.message : String(e)
}

/** Makes 'wasm' the active backend; throws with the reason if it cannot start. */
export async function activateWasm(): Promise<void> {
  const ok = await tf.setBackend('wasm')
  if (!ok) {
    throw new Error(`the wasm backend did not initialise${pathProblem ? ` (${pathProblem})` : ''}`)
  }
  await tf.ready()
}

export function wasmBinaryDir(): string {
  return wasmDir()
}
