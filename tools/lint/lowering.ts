// What esbuild 0.28 can lower for each runtime, as esbuild `supported` maps the build passes on.
// Measured, not assumed: test/lint/lowering.test.ts transforms a sample of each feature with these
// settings while classes, arrows, let/const, template literals and for...of stay native, lints the
// output, and checks that esbuild still refuses the features listed in `cannotLower`.
import type { Runtime } from './types.ts';

/** esbuild `supported` overrides: false asks esbuild to lower the feature. */
export type Supported = Record<string, boolean>;

/** Settings for one runtime. */
export interface Lowering {
  /** Pass as esbuild's `supported` option. */
  supported: Supported;
  /** Pass as esbuild's `tsconfigRaw` so TypeScript class fields become constructor assignments. */
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: boolean } };
  /** Features the runtime lacks that esbuild cannot lower here, with esbuild's reason; the lint reports them. */
  cannotLower: Record<string, string>;
}

const notYet = 'esbuild: "Transforming ... to the configured target environment is not supported yet" while classes are kept';

/** The lowering for each runtime. XS runs ES2023+, so nothing is lowered for it. */
export const lowering: Record<Runtime, Lowering> = {
  espruino: {
    supported: {
      // Kept native: Espruino runs these, and lowering classes would cost size and speed.
      'arrow': true,
      'class': true,
      'const-and-let': true,
      'template-literal': true,
      'for-of': true,
      // Lowered: Espruino lacks them and esbuild's output needs nothing Espruino lacks.
      'exponent-operator': false,
      'optional-chain': false,
      'nullish-coalescing': false,
      'logical-assignment': false,
      'optional-catch-binding': false,
      'class-field': false,
      'class-static-field': false,
      'class-static-blocks': false,
      'object-rest-spread': false,
    },
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    cannotLower: {
      'destructuring': notYet,
      'default-argument': notYet,
      'rest-argument': notYet,
      'array-spread': notYet,
      'generator': notYet,
      'async-await': 'lowered to generators, which Espruino lacks',
      'bigint': 'lowered to BigInt("..."), which Espruino lacks',
      'class-private-field': 'lowered to WeakMap, which Espruino lacks',
      'class-private-method': 'lowered to WeakSet, which Espruino lacks',
      'template-literal (tagged)': 'lowering needs Object.freeze, which Espruino lacks',
      'regexp-*': 'lowered to new RegExp("..."), which Espruino\'s engine still mishandles',
    },
  },
  xs: {
    supported: {},
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    cannotLower: {},
  },
};
