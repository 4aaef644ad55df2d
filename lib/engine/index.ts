// The engine's public API: the pure step and what runtimes, workers and the CLI need around it.
export { step, stepAll, newExecution, type StepInput, type StepAllInput, type StepOutput, type NewExecutionArgs } from './step';
export { buildVariables, outputsOf, type VariablesContext } from './variables';
export { replay } from './replay';
export { lookupOf, type RunLookup } from './run-index';
export { flowableTypes } from './flowables';
export { checksBehavior, checksError, failedChecks } from './checks';
export { checkResume, resumeInputs, type ResumeInputs } from './resume-inputs';
