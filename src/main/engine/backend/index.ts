export * from './backend-choice'
export {
  selectBackend,
  BackendUnavailableError,
  type BackendReport,
  type SelectBackendOptions,
} from './select-backend'
export { activateWasm, wasmBinaryDir } from './wasm'
