import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'

/**
 * The layer graph as a lint rule (VS Code's code-layering): doors (server, electron, cli) → app →
 * (annotation, datasets, jobs) → (project, engine) → (media, files) → shared. An import that goes up,
 * or sideways between the lower layers, fails `npm run lint`. Relative imports are matched by the folder
 * they reach (`../../app/…`), whatever their depth.
 */
const MAIN_FOLDERS = [
  'app',
  'cli',
  'server',
  'electron',
  'annotation',
  'datasets',
  'jobs',
  'project',
  'engine',
  'media',
  'files',
]
function layer(folder, forbidden, why, extra = []) {
  const reach = forbidden.join('|')
  return {
    files: [`src/main/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${reach})(/|$)`,
              message: `layer rule: src/main/${folder} must not import ${forbidden.join(', ')} (${why})`,
            },
            ...extra,
          ],
        },
      ],
    },
  }
}
/**
 * The app and the CLI reach the engine through its one door, engine/api.ts (tfjs-free: the main thread
 * never loads tfjs); any other engine path from there fails lint.
 */
const engineThroughApi = (folder) => ({
  regex: '^(\\.\\./)+engine(/(?!api$).*)?$',
  message: `layer rule: src/main/${folder} reaches the engine only through engine/api (its one tfjs-free door)`,
})
const above = (...names) => MAIN_FOLDERS.filter((f) => !names.includes(f))
const layerRules = [
  layer('app', ['cli', 'server', 'electron'], 'the app is below the doors', [engineThroughApi('app')]),
  layer('cli', ['electron'], 'the CLI runs under plain Node and hosts browser mode', [
    engineThroughApi('cli'),
  ]),
  layer('engine', above('engine', 'media', 'files'), 'the engine is below the app, the store and the jobs'),
  layer(
    'project',
    above('project', 'media', 'files'),
    'the store is below the app, the importers, the jobs and the engine',
  ),
  layer('jobs', above('jobs', 'project', 'files'), 'the job queue only persists through the store'),
  layer('datasets', above('datasets', 'project', 'media', 'files'), 'importers write through the store'),
  layer('media', above('media', 'files'), 'media codecs are leaves'),
  layer('files', above('files'), 'atomic files are a leaf'),
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^((\\.\\./)+(main|renderer|preload)(/|$)|node:|electron$)',
              message:
                'layer rule: src/shared is imported by main and renderer alike and imports neither (nor Node or Electron)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.vue'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^((\\.\\./)+(main|preload)(/|$)|node:|electron$)',
              message:
                'layer rule: the renderer is untrusted and reaches the studio only through the API client (src/shared types)',
            },
          ],
        },
      ],
    },
  },
]

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'docs/**', '.tmp/**', 'tests/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // TypeScript checks global names (DOM lib for the renderer, node types for main); ESLint's
    // no-undef does not know those libs and only produces false positives on TS/Vue files.
    files: ['**/*.ts', '**/*.vue'],
    rules: { 'no-undef': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      // Template layout belongs to Prettier (`prettier --check` runs in npm test); these stylistic rules
      // disagree with its output, so they are off rather than fought over.
      'vue/html-closing-bracket-newline': 'off',
      'vue/html-indent': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  ...layerRules,
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
