/**
 * Results as text for the runs tab and the results page. The functions live in src/shared/results-format.ts
 * (no DOM, so the Node tests of the results handler format with the same code); re-exported here.
 */
export * from '../../../shared/results-format'
