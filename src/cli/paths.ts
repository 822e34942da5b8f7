/** Where the bundled files are: resolved from the source tree, not from the cwd (src/scenario/bundled.ts). */
export { PROJECT_ROOT, SCENARIOS_DIR, bundledScenario, bundledScenarioFiles, bundledScenarioNames } from '../scenario/bundled.js';
