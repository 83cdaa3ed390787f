/** `restorable explain`: what protects one namespace, and how it comes back. */
export {
  type DurationView,
  EXPLANATION_VERSION,
  type ExemptionView,
  type ExplainOptions,
  explainNamespace,
  type NamespaceExplanation,
  type PlanView,
  type ProtectionView,
  type Reach,
  runnerCommand,
  type TierView,
} from './explain.ts';
export { formatSelector, renderExplanation } from './render.ts';
