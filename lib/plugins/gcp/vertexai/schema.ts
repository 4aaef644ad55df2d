// Property schemas of Kestra's Vertex AI CustomJob (kestra-io/plugin-gcp 0.4 and later).
import { z } from 'zod';
import { Duration } from '../../../model/duration';
import { gcpProperties as gcp } from '../credentials';

export const ContainerSpec = z.object({
  imageUri: z.string(),
  commands: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  /** Environment variables of the container. */
  env: z.record(z.string(), z.string()).optional(),
}).strict();

export const MachineSpec = z.object({
  machineType: z.string(),
  acceleratorCount: z.number().int().optional(),
  /** A google.cloud.aiplatform.v1.AcceleratorType name, such as NVIDIA_TESLA_T4. */
  acceleratorType: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'expected an accelerator type such as NVIDIA_TESLA_T4').optional(),
}).strict();

export const DiscSpec = z.object({
  bootDiskType: z.enum(['PD_SSD', 'PD_STANDARD']).optional(),
  bootDiskSizeGb: z.number().int().positive().optional(),
}).strict();

export const PythonPackageSpec = z.object({
  packageUris: z.array(z.string()),
  args: z.array(z.string()),
  envs: z.record(z.string(), z.string()),
}).strict();

export const WorkerPoolSpec = z.object({
  containerSpec: ContainerSpec,
  machineSpec: MachineSpec,
  discSpec: DiscSpec.optional(),
  replicaCount: z.number().int().positive().optional(),
  pythonPackageSpec: PythonPackageSpec.optional(),
}).strict();

export const Scheduling = z.object({
  /** ISO-8601 duration. */
  timeOut: Duration,
  restartJobOnWorkerRestart: z.boolean(),
}).strict();

export const CustomJobSpec = z.object({
  workerPoolSpecs: z.array(WorkerPoolSpec).min(1),
  serviceAccount: z.string().optional(),
  network: z.string().optional(),
  tensorboard: z.string().optional(),
  enableWebAccess: z.boolean().optional(),
  scheduling: Scheduling.optional(),
  baseOutputDirectory: z.object({ outputUriPrefix: z.string() }).strict().optional(),
}).strict();

export const CustomJobProperties = z.object({
  ...gcp,
  /** A Vertex AI region, such as europe-west1 (checked when the task runs: it may be an expression). */
  region: z.string().min(1),
  displayName: z.string(),
  spec: CustomJobSpec,
  /** Wait for the job to end. */
  wait: z.boolean().optional(),
  /** Delete the job once it has ended. */
  delete: z.boolean().optional(),
}).strict();
export type CustomJobProperties = z.infer<typeof CustomJobProperties>;

export const CustomJobOutputs = z.object({
  name: z.string(),
  createDate: z.string(),
  updateDate: z.string(),
  endDate: z.string().optional(),
  state: z.string(),
});
export type CustomJobOutputs = z.infer<typeof CustomJobOutputs>;
