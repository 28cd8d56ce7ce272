/** The version of @factorkit/core, checked against each provider's declared `coreVersion` range. */
export const CORE_VERSION = '0.1.0';
