/** Models and schemas of the Argo CD kinds restorable emits (argoproj.io/v1alpha1). */
export * from './app-project.ts';
export * from './application.ts';
export * from './common.ts';
