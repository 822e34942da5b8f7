// `node --import ./hide-package.mjs …`: packages in SMPSIM_TEST_HIDE_PACKAGES look uninstalled.
import { register } from 'node:module';

register('./hide-package-hooks.mjs', import.meta.url);
