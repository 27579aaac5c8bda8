export type { Expr, Span } from './ast';
export { checkExpression } from './checker';
export { AggregatePlan, Compiler, fold } from './compiler';
export { CUSTOMER_VARIABLES, type CustomerFacts, type Transaction } from './customer-schema';
export { interpret } from './interpreter';
export { parseExpression } from './parser';
export { printExpression } from './printer';
export {
  compileRuleFile,
  formatRuleError,
  LIMITS,
  parseRuleFile,
  printRuleFile,
  SNOOP_STATUSES,
  type CompiledRuleSet,
  type CompileOptions,
  type RuleOutcome,
  type CompileOutcome,
  type RuleError,
  type SnoopDefinition,
  type SnoopResult,
  type SnoopStatus,
} from './rule-file';
export { celToCondition, celToOperand, fromSnoopDefinition, NotStorableError } from './definition-from-cel';
export {
  canonicalCondition,
  conditionSchema,
  conditionToCel,
  operandSchema,
  operandToCel,
  storedSnoopSchema,
  toSnoopDefinition,
  type Condition,
  type Operand,
  type StoredSnoop,
  type TransactionFilter,
} from './definition';

export { compileExplainer, type ExplainOptions, type Explainer } from './explain';
export { exactSum } from './exact-sum';
export { BOOL, DOUBLE, objectType } from './types';
export {
  boundaryProbes,
  completionsAt,
  diagnose,
  FIELD_GUIDE,
  FUNCTION_GUIDE,
  runSamples,
  TRANSACTION_GUIDE,
  type BoundaryProbe,
  type Completion,
  type Diagnostic,
  type ExpressionRole,
  type FieldGuide,
  type SampleCustomer,
  type SampleOutcome,
} from './editing';
export {
  impactTally,
  previewImpact,
  SCORE_BANDS,
  type ImpactOptions,
  type ImpactCustomer,
  type ImpactReport,
  type ImpactSample,
  type SnoopImpact,
} from './impact';
