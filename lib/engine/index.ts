// The engine's public API: the pure step and what runtimes, workers and the CLI need around it.
export { step, newExecution, type StepInput, type StepOutput, type NewExecutionArgs } from './step';
export { buildVariables, outputsOf, type VariablesContext } from './variables';
export { replay } from './replay';
export { flowableTypes } from './flowables';
