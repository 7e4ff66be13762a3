/** Post-processing of predicted probabilities (dense CRF). */
export * from './crf'
