/**
 * The studio method table (src/shared/methods.ts) against the engine: every stage a studio method names is
 * a registry kind whose config parses, every flag agrees with what the registry and the imported-model
 * rules say, and the engine's and the shared views (ADAPTIVE_METHODS, stage configs, run names) derive from
 * it. No training: a misspelt kind or a flag the registry contradicts fails here.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  STUDIO_METHOD_NAMES,
  STUDIO_METHODS,
  isStudioMethod,
  methodsWithStep,
  type StudioMethod,
} from '../../../src/shared/methods'
import { isRunMethod, RUN_METHOD_LABELS, RUN_METHODS } from '../../../src/shared/runs'
import { methodShortName } from '../../../src/shared/run-names'
import {
  ADAPTIVE_METHODS,
  adaptedStageMethods,
  finalStage,
  isAdaptiveMethod,
  needsGroups,
  type AdaptiveMethod,
} from '../../../src/main/engine/pipelines/project-adapt'
import {
  configNeedsStage1,
  configUsesDiscriminators,
  isMethodKind,
  MethodConfigError,
  methodInfo,
  parseMethodConfig,
} from '../../../src/main/engine/methods/registry'
import { importedModelRefusal } from '../../../src/main/engine/methods/source-model'

/** What is wrong with one row's stages, as the registry sees them (empty: nothing). */
function stageProblems(name: string, m: StudioMethod): string[] {
  const problems: string[] = []
  if ((m.step === 'adapt') !== m.stages.length > 0)
    problems.push(`${name}: step ${m.step} with ${m.stages.length} stages`)
  if (new Set(m.stages.map((s) => s.name)).size !== m.stages.length)
    problems.push(`${name}: stage names repeat`)
  for (const s of m.stages) {
    if (!isMethodKind(s.config.kind)) problems.push(`${name}/${s.name}: no registry kind ${s.config.kind}`)
    else {
      try {
        parseMethodConfig(s.config)
      } catch (e) {
        if (!(e instanceof MethodConfigError)) throw e
        problems.push(`${name}/${s.name}: ${e.message}`)
      }
    }
  }
  return problems
}

const ARCH = 'lraspp_mobilenet_v3_large'

describe('studio method table', () => {
  it('every stage of every studio method is a registry kind whose config parses', () => {
    const problems = STUDIO_METHOD_NAMES.flatMap((n) => stageProblems(n, STUDIO_METHODS[n]))
    expect(problems).toEqual([])
  })

  it('the stage check catches a misspelt kind, a bad field and stages on a non-adapt step', () => {
    const row = STUDIO_METHODS.advent
    const typo = { ...row, stages: [{ name: 'advnet', config: { kind: 'advnet' } }] }
    expect(stageProblems('typo', typo)).toEqual(['typo/advnet: no registry kind advnet'])
    const badStage = {
      ...STUDIO_METHODS.mrnet,
      stages: [{ name: 'mrnet-s3', config: { kind: 'mrnet', stage: 3 } }],
    }
    expect(stageProblems('bad', badStage as StudioMethod)).toHaveLength(1)
    expect(stageProblems('odd', { ...STUDIO_METHODS.segsort, stages: row.stages })).toEqual([
      'odd: step segsort with 1 stages',
    ])
  })

  it("each flag agrees with the registry's view of the method's stages", () => {
    for (const name of methodsWithStep('adapt')) {
      const m = STUDIO_METHODS[name]
      const parsed = m.stages.map((s) => parseMethodConfig(s.config))
      expect(m.discriminators, name).toBe(parsed.some(configUsesDiscriminators))
      expect(m.pseudoLabels, name).toBe(parsed.some(configNeedsStage1))
      expect(m.groupContext, name).toBe(parsed.some((c) => methodInfo(c.kind).groupContext))
      expect(m.sourceSet, name).toBe(true)
    }
    // The methods without registry stages: No-DA alone trains nothing besides the source model.
    expect(STUDIO_METHOD_NAMES.filter((n) => !STUDIO_METHODS[n].sourceSet)).toEqual(['noda'])
  })

  it('says which methods an imported torchvision model can start, as importedModelRefusal decides', () => {
    for (const name of STUDIO_METHOD_NAMES) {
      const m = STUDIO_METHODS[name]
      const withAux = importedModelRefusal(name, ARCH, true) === null
      const withoutAux = importedModelRefusal(name, ARCH, false) === null
      expect([name, withAux, withoutAux]).toEqual([name, m.torchvision !== 'no', m.torchvision === 'yes'])
      // A method that needs an aux head never runs on an aux-less imported model.
      if (m.auxHead) expect(withoutAux, name).toBe(false)
    }
  })

  it('the engine and the shared views derive from the table', () => {
    expect(RUN_METHODS).toEqual(STUDIO_METHOD_NAMES)
    expect([...ADAPTIVE_METHODS].sort()).toEqual(
      ['adaptseg', 'advent', 'bn-only', 'fda', 'maxsquare', 'minent', 'mrnet', 'pss'].sort(),
    )
    expect(isAdaptiveMethod('advent')).toBe(true)
    expect(isAdaptiveMethod('segsort')).toBe(false)
    expect(isAdaptiveMethod('toString')).toBe(false)
    expect(isRunMethod('coseg-st') && isStudioMethod('coseg-st')).toBe(true)
    expect(isRunMethod('constructor')).toBe(false)
    expect(RUN_METHOD_LABELS.pss).toBe(STUDIO_METHODS.pss.label)
    expect(methodShortName('pss')).toBe('OURS-S2')
    expect(ADAPTIVE_METHODS.filter(needsGroups)).toEqual(['pss'])
    // The type follows the table too (checked by the type-check, which covers the tests).
    expectTypeOf<AdaptiveMethod>().toEqualTypeOf<
      'pss' | 'advent' | 'minent' | 'bn-only' | 'adaptseg' | 'maxsquare' | 'fda' | 'mrnet'
    >()
  })

  it('stage configs keep the overrides, and the method decides kind and stage', () => {
    const seg = { lr: 0.01 }
    expect(adaptedStageMethods('mrnet', { seg, kind: 'advent', stage: 2 })).toEqual([
      { seg, kind: 'mrnet', stage: 1 },
      { seg, kind: 'mrnet', stage: 2 },
    ])
    expect(adaptedStageMethods('pss').map((c) => c.kind)).toEqual(['pss-s1', 'pss-s2'])
    expect(adaptedStageMethods('bn-only')).toEqual([{ kind: 'bn-only' }])
    expect(finalStage('mrnet', '/r').name).toBe('mrnet-s2')
    expect(finalStage('fda', '/r').name).toBe('fda')
    expect(finalStage('pss', '/r').dir.replace(/\\/g, '/')).toBe('/r/adapt/pss-s2')
  })
})
