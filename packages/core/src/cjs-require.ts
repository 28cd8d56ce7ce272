/**
 * `require` for the CommonJS packages core loads when a host starts (class-validator,
 * class-transformer, tsyringe, semver). Why not `import`: for every CommonJS module an ES module
 * imports, Node first reads it and pre-parses its exports (cjs-module-lexer, following each
 * re-export into the next file) and only then runs it; class-validator's index re-exports some
 * 130 files, and that pre-parse alone cost more than running them (issue 17's cold-start row).
 * `require` runs the module directly. Types still come from the packages, through `typeof
 * import(...)` at each call site.
 */
import { createRequire } from 'node:module';

export const requireCjs = createRequire(import.meta.url);
