// Jobs for the strict fake API: what the server does to a Job on create (defaults, generated selector, reset status)
// and on a status update, and the rules it refuses by. Ported from kubernetes/kubernetes:
//   pkg/apis/batch/v1/defaults.go                SetDefaults_Job
//   pkg/registry/batch/job/strategy.go           PrepareForCreate, generateSelector, getStatusValidationOptions
//   pkg/apis/batch/validation/validation.go      ValidateJob, validateJobSpec, validateJobStatus, ValidateJobStatusUpdate
import {
  invalid, invalidOmitValue, isDNS1123Label, labelSelectorRequirements, notSupported, required, selectorMatches,
  tooMany, validateAnnotations, validateLabels, validateLabelSelector, type FieldError, type Json, type LabelSelector, type Labels,
} from './k8s-syntax.ts';
import { DecodeError, defaultPodSpec, validateObjectMeta, validatePodSpec } from './k8s-pod.ts';

export const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID = 'controller-uid';
const LEGACY_JOB_NAME = 'job-name';

const MAX_INT32 = 2 ** 31 - 1;
// validation.go: maxParallelismForIndexedJob, maxFailedIndexesForIndexedJob, completionsSoftLimit,
// parallelismLimitForHighCompletions, maxFailedIndexesLimitForHighCompletions, maxPodFailurePolicyRules,
// maxPodFailurePolicyOnExitCodesValues, maxPodFailurePolicyOnPodConditionsPatterns.
const MAX_PARALLELISM_INDEXED = 100_000;
const MAX_FAILED_INDEXES = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const HIGH_COMPLETIONS_LIMIT = 10_000;
const MAX_RULES = 20;
const MAX_EXIT_CODES = 255;
const MAX_CONDITION_PATTERNS = 20;

interface Rule { action?: string; onExitCodes?: { containerName?: string; operator?: string; values?: number[] }; onPodConditions?: { type?: string; status?: string }[] }
export interface JobSpec {
  parallelism?: number; completions?: number; activeDeadlineSeconds?: number; backoffLimit?: number; backoffLimitPerIndex?: number;
  maxFailedIndexes?: number; ttlSecondsAfterFinished?: number; completionMode?: string; suspend?: boolean; manualSelector?: boolean;
  podReplacementPolicy?: string; managedBy?: string; successPolicy?: Json; podFailurePolicy?: { rules?: Rule[] };
  selector?: LabelSelector; template: { metadata?: { labels?: Labels; annotations?: Labels } & Json; spec: Json & { restartPolicy?: string; containers?: { name?: string }[]; initContainers?: { name?: string }[] } };
}
export interface Condition { type: string; status: string; reason?: string; message?: string; lastProbeTime?: string; lastTransitionTime?: string }
export interface JobStatus {
  active?: number; succeeded?: number; failed?: number; ready?: number; terminating?: number; startTime?: string; completionTime?: string;
  completedIndexes?: string; failedIndexes?: string; conditions?: Condition[]; uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}
export interface Job extends Json { metadata: Json & { name?: string; namespace?: string; uid?: string; labels?: Labels }; spec: JobSpec; status?: JobStatus }

const INT_FIELDS = ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'ttlSecondsAfterFinished'] as const;

/** Decoding: integer fields must be integers, or the server cannot read the body at all. */
function checkJobTypes(spec: Json): void {
  for (const name of INT_FIELDS) {
    const value = spec[name];
    if (value !== undefined && !Number.isInteger(value)) throw new DecodeError(`json: cannot unmarshal ${typeof value} into Go struct field JobSpec.spec.${name} of type int`);
  }
}

/** SetDefaults_Job, then the pod template's defaults; in place. */
export function defaultJob(job: Job): void {
  const spec = job.spec;
  checkJobTypes(spec as unknown as Json);
  spec.template ??= { spec: {} }; // an absent template decodes as an empty one, which validation then refuses
  spec.template.spec ??= {};
  if (spec.completions === undefined && spec.parallelism === undefined) { spec.completions = 1; spec.parallelism = 1; }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  const templateLabels = spec.template.metadata?.labels;
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...templateLabels };
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  // SetDefaults_PodFailurePolicyOnPodConditionsPattern
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const pattern of rule.onPodConditions ?? []) pattern.status ??= 'True';
  defaultPodSpec(spec.template.spec);
}

/**
 * strategy.go PrepareForCreate: the selector and pod labels are generated unless manualSelector (generateSelector
 * keeps labels and matchLabels the user already set: a conflicting one is refused by validation), the status is
 * reset, generation is 1.
 */
export function prepareJobForCreate(job: Job, uid: string): void {
  job.metadata.uid = uid;
  job.metadata.generation = 1;
  if (!job.spec.manualSelector) generateSelector(job);
  job.status = {};
}

function generateSelector(job: Job): void {
  const template = job.spec.template;
  template.metadata ??= {};
  const labels: Labels = { ...template.metadata.labels };
  for (const key of [LEGACY_JOB_NAME, JOB_NAME]) labels[key] ??= String(job.metadata.name);
  for (const key of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) labels[key] ??= String(job.metadata.uid);
  template.metadata.labels = labels;
  const selector = job.spec.selector ?? {};
  selector.matchLabels = { ...selector.matchLabels };
  selector.matchLabels[CONTROLLER_UID] ??= String(job.metadata.uid);
  job.spec.selector = selector;
}

/** ValidateJob (create, with RequirePrefixedLabels as strategy.go validationOptionsForJob sets it). */
export function validateJob(job: Job): FieldError[] {
  const errors = validateObjectMeta(job.metadata);
  errors.push(...validateGeneratedSelector(job));
  errors.push(...validateJobSpec(job.spec, 'spec'));
  const spec = job.spec;
  if (spec.completionMode === 'Indexed' && (spec.completions ?? 0) > 0) {
    // The Job controller names pod hostnames <job>-<index>: the largest one must still be a DNS-1123 label.
    const hostname = `${String(job.metadata.name)}-${spec.completions! - 1}`;
    if (isDNS1123Label(hostname).length > 0) errors.push(invalid('metadata.name', job.metadata.name, `will not able to create pod with invalid DNS label: ${hostname}`));
  }
  return errors;
}

/** validateGeneratedSelector: a generated selector must select exactly this Job's uid and name labels. */
function validateGeneratedSelector(job: Job): FieldError[] {
  if (job.spec.manualSelector || !job.spec.selector) return [];
  const errors: FieldError[] = [];
  const uid = String(job.metadata.uid ?? '');
  const name = String(job.metadata.name ?? '');
  if (!uid) errors.push(required('metadata.uid'));
  const labels = job.spec.template.metadata?.labels ?? {};
  const expected: Labels = { [LEGACY_CONTROLLER_UID]: uid, [LEGACY_JOB_NAME]: name, [CONTROLLER_UID]: uid, [JOB_NAME]: name };
  for (const [key, value] of Object.entries(expected)) {
    const field = `spec.template.metadata.labels[${key}]`;
    if (!(key in labels)) errors.push(required(field, `must be '${value}'`));
    else if (labels[key] !== value) errors.push(invalid(field, labels, `must be '${value}'`));
  }
  const requirements = labelSelectorRequirements(job.spec.selector);
  if (requirements && !selectorMatches(requirements, expected)) errors.push(invalid('spec.selector', job.spec.selector, '`selector` not auto-generated'));
  return errors;
}

/** ValidateJobSpec: validateJobSpec, a selector, and a selector that matches the template's labels. */
function validateJobSpec(spec: JobSpec, field: string): FieldError[] {
  const errors = validateJobSpecFields(spec, field);
  if (!spec.selector) errors.push(required(`${field}.selector`));
  else errors.push(...validateLabelSelector(spec.selector, `${field}.selector`));
  const requirements = labelSelectorRequirements(spec.selector);
  const templateLabels = spec.template.metadata?.labels ?? {};
  if (requirements && !selectorMatches(requirements, templateLabels)) {
    errors.push(invalid(`${field}.template.metadata.labels`, templateLabels, '`selector` does not match template `labels`'));
  }
  return errors;
}

const nonNegative = (value: number | undefined, field: string): FieldError[] =>
  value !== undefined && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];

/** validateJobSpec: counts, the per-index backoff, completion mode, policies and the pod template. */
function validateJobSpecFields(spec: JobSpec, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    errors.push(...nonNegative(spec[name], `${field}.${name}`));
  }
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined) {
    errors.push(required(`${field}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  if (spec.managedBy !== undefined && spec.managedBy.length > 63) errors.push(invalid(`${field}.managedBy`, spec.managedBy, 'must be no more than 63 characters'));
  errors.push(...validateCompletionMode(spec, field));
  if (spec.podFailurePolicy) errors.push(...validatePodFailurePolicy(spec, `${field}.podFailurePolicy`));
  if (spec.successPolicy && spec.completionMode !== 'Indexed') errors.push(invalid(`${field}.successPolicy`, spec.successPolicy, 'requires indexed completion mode'));
  errors.push(...validatePodReplacementPolicy(spec, `${field}.podReplacementPolicy`));
  errors.push(...validatePodTemplateSpec(spec.template, `${field}.template`));
  errors.push(...validateJobRestartPolicy(spec, `${field}.template.spec.restartPolicy`));
  return errors;
}

/** Indexed needs completions; its limits on parallelism and maxFailedIndexes; per-index fields need Indexed. */
function validateCompletionMode(spec: JobSpec, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
    return [notSupported(`${field}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed'])];
  }
  if (spec.completionMode === 'NonIndexed') {
    if (spec.backoffLimitPerIndex !== undefined) errors.push(invalid(`${field}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (spec.maxFailedIndexes !== undefined) errors.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
    return errors;
  }
  const { completions, parallelism, maxFailedIndexes } = spec;
  if (completions === undefined) errors.push(required(`${field}.completions`, 'when completion mode is Indexed'));
  if (parallelism !== undefined && parallelism > MAX_PARALLELISM_INDEXED) {
    errors.push(invalid(`${field}.parallelism`, parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
  }
  if (completions !== undefined && maxFailedIndexes !== undefined && maxFailedIndexes > completions) {
    errors.push(invalid(`${field}.maxFailedIndexes`, maxFailedIndexes, 'must be less than or equal to completions'));
  }
  if (maxFailedIndexes !== undefined && maxFailedIndexes > MAX_FAILED_INDEXES) {
    errors.push(invalid(`${field}.maxFailedIndexes`, maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES}`));
  }
  if (completions !== undefined && completions > COMPLETIONS_SOFT_LIMIT && spec.backoffLimitPerIndex !== undefined) {
    const high = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
    if (maxFailedIndexes === undefined) errors.push(required(`${field}.maxFailedIndexes`, `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
    if (parallelism !== undefined && parallelism > HIGH_COMPLETIONS_LIMIT) errors.push(invalid(`${field}.parallelism`, parallelism, `must be less than or equal to ${HIGH_COMPLETIONS_LIMIT} ${high}`));
    if (maxFailedIndexes !== undefined && maxFailedIndexes > HIGH_COMPLETIONS_LIMIT) errors.push(invalid(`${field}.maxFailedIndexes`, maxFailedIndexes, `must be less than or equal to ${HIGH_COMPLETIONS_LIMIT} ${high}`));
  }
  return errors;
}

const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

/** validatePodFailurePolicy and validatePodFailurePolicyRule. */
function validatePodFailurePolicy(spec: JobSpec, field: string): FieldError[] {
  const rules = spec.podFailurePolicy?.rules ?? [];
  const errors: FieldError[] = rules.length > MAX_RULES ? [tooMany(`${field}.rules`, rules.length, MAX_RULES)] : [];
  const containers = new Set([...(spec.template.spec.containers ?? []), ...(spec.template.spec.initContainers ?? [])].map((container) => String(container.name)));
  rules.forEach((rule, index) => {
    const at = `${field}.rules[${index}]`;
    if (!rule.action) errors.push(required(`${at}.action`, `valid values: ${JSON.stringify(ACTIONS)}`));
    else if (rule.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) errors.push(invalid(`${at}.action`, rule.action, 'requires the backoffLimitPerIndex to be set'));
    else if (!ACTIONS.includes(rule.action)) errors.push(notSupported(`${at}.action`, rule.action, ACTIONS));
    const conditions = rule.onPodConditions ?? [];
    if (rule.onExitCodes) errors.push(...validateOnExitCodes(rule.onExitCodes, containers, `${at}.onExitCodes`));
    if (conditions.length > 0) errors.push(...validateOnPodConditions(conditions, `${at}.onPodConditions`));
    if (rule.onExitCodes && conditions.length > 0) errors.push(invalidOmitValue(at, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!rule.onExitCodes && conditions.length === 0) errors.push(invalidOmitValue(at, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errors;
}

/** validatePodFailurePolicyRuleOnExitCodes: In/NotIn, a known container, 1–255 values, ordered, unique, no 0 with In. */
function validateOnExitCodes(onExitCodes: NonNullable<Rule['onExitCodes']>, containers: Set<string>, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const { operator, containerName } = onExitCodes;
  const values = onExitCodes.values ?? [];
  if (!operator) errors.push(required(`${field}.operator`, 'valid values: ["In" "NotIn"]'));
  else if (operator !== 'In' && operator !== 'NotIn') errors.push(notSupported(`${field}.operator`, operator, ['In', 'NotIn']));
  if (containerName !== undefined && !containers.has(containerName)) {
    errors.push(invalid(`${field}.containerName`, containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  if (values.length === 0) errors.push(invalid(`${field}.values`, values, 'at least one value is required'));
  else if (values.length > MAX_EXIT_CODES) errors.push(tooMany(`${field}.values`, values.length, MAX_EXIT_CODES));
  const seen = new Set<number>();
  values.forEach((value, index) => {
    if (operator === 'In' && value === 0) errors.push(invalid(`${field}.values[${index}]`, value, 'must not be 0 for the In operator'));
    if (seen.has(value)) errors.push({ type: 'FieldValueDuplicate', field: `${field}.values[${index}]`, value, detail: '' });
    seen.add(value);
  });
  if (values.some((value, index) => index > 0 && values[index - 1]! > value)) errors.push(invalid(`${field}.values`, values, 'must be ordered'));
  return errors;
}

/** validatePodFailurePolicyRuleOnPodConditions: ≤ 20 patterns, a qualified type, status True/False/Unknown. */
function validateOnPodConditions(patterns: NonNullable<Rule['onPodConditions']>, field: string): FieldError[] {
  const errors: FieldError[] = patterns.length > MAX_CONDITION_PATTERNS ? [tooMany(field, patterns.length, MAX_CONDITION_PATTERNS)] : [];
  patterns.forEach((pattern, index) => {
    if (!pattern.type) errors.push(invalid(`${field}[${index}].type`, '', 'name part must be non-empty'));
    if (!['True', 'False', 'Unknown'].includes(String(pattern.status))) errors.push(notSupported(`${field}[${index}].status`, pattern.status, ['False', 'True', 'Unknown']));
  });
  return errors;
}

/** validatePodReplacementPolicy: with a podFailurePolicy only Failed is allowed. */
function validatePodReplacementPolicy(spec: JobSpec, field: string): FieldError[] {
  const policy = spec.podReplacementPolicy;
  if (policy === undefined) return [];
  if (spec.podFailurePolicy) return policy === 'Failed' ? [] : [notSupported(field, policy, ['Failed'])];
  return ['Failed', 'TerminatingOrFailed'].includes(policy) ? [] : [notSupported(field, policy, ['Failed', 'TerminatingOrFailed'])];
}

/** core ValidatePodTemplateSpec: the template's labels (path spec.template.labels) and annotations, then its pod spec. */
function validatePodTemplateSpec(template: JobSpec['template'], field: string): FieldError[] {
  return [
    ...validateLabels(template.metadata?.labels, `${field}.labels`),
    ...validateAnnotations(template.metadata?.annotations, `${field}.annotations`),
    ...validatePodSpec(template.spec, `${field}.spec`),
  ];
}

/** A Job's pods may not restart Always; with a podFailurePolicy they must not restart at all. */
function validateJobRestartPolicy(spec: JobSpec, field: string): FieldError[] {
  const policy = spec.template.spec.restartPolicy;
  if (policy === 'Always' || !policy) return [required(field, 'valid values: "OnFailure", "Never"')];
  if (policy !== 'OnFailure' && policy !== 'Never') return [notSupported(field, policy, ['OnFailure', 'Never'])];
  if (spec.podFailurePolicy && policy !== 'Never') return [invalid(field, policy, 'only "Never" is supported when podFailurePolicy is specified')];
  return [];
}

// --- status updates ------------------------------------------------------------------------------------------

const isTrue = (status: JobStatus | undefined, type: string) => (status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
const isFinished = (status: JobStatus | undefined) => isTrue(status, 'Complete') || isTrue(status, 'Failed');

/**
 * ValidateJobUpdateStatus with the options getStatusValidationOptions sets when JobManagedBy is on (beta and on by
 * default from Kubernetes 1.32): each rule runs only when the fields it reads changed, as there.
 */
export function validateJobStatusUpdate(job: Job, old: Job): FieldError[] {
  const [next, before] = [job.status ?? {}, old.status ?? {}];
  const changed = {
    finished: isFinished(before) !== isFinished(next),
    complete: isTrue(before, 'Complete') !== isTrue(next, 'Complete'),
    failed: isTrue(before, 'Failed') !== isTrue(next, 'Failed'),
    failureTarget: isTrue(before, 'FailureTarget') !== isTrue(next, 'FailureTarget'),
    completedIndexes: (before.completedIndexes ?? '') !== (next.completedIndexes ?? ''),
    failedIndexes: before.failedIndexes !== next.failedIndexes,
    active: (before.active ?? 0) !== (next.active ?? 0),
    startTime: before.startTime !== next.startTime,
    completionTime: before.completionTime !== next.completionTime,
    uncounted: JSON.stringify(before.uncountedTerminatedPods ?? {}) !== JSON.stringify(next.uncountedTerminatedPods ?? {}),
    successCriteriaMet: isTrue(before, 'SuccessCriteriaMet') !== isTrue(next, 'SuccessCriteriaMet'),
    terminating: (before.terminating ?? 0) !== (next.terminating ?? 0),
    ready: (before.ready ?? 0) !== (next.ready ?? 0),
  };
  return [...validateJobStatus(job, changed), ...validateStatusTransition(job, old, changed)];
}

type Changed = Record<'finished' | 'complete' | 'failed' | 'failureTarget' | 'completedIndexes' | 'failedIndexes' | 'active' | 'startTime'
  | 'completionTime' | 'uncounted' | 'successCriteriaMet' | 'terminating' | 'ready', boolean>;

/** validateJobStatus: counters, conditions that cannot hold together, completedIndexes/failedIndexes. */
function validateJobStatus(job: Job, changed: Changed): FieldError[] {
  const status = job.status ?? {};
  const spec = job.spec;
  const errors: FieldError[] = [];
  for (const name of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) errors.push(...nonNegative(status[name], `status.${name}`));
  const complete = isTrue(status, 'Complete');
  const failed = isTrue(status, 'Failed');
  const finished = complete || failed;
  const conditions = 'status.conditions';
  if ((changed.complete || changed.failed) && complete && failed) errors.push(invalidOmitValue(conditions, 'cannot set Complete=True and Failed=true conditions'));
  if ((changed.complete || changed.failureTarget) && complete && isTrue(status, 'FailureTarget')) errors.push(invalidOmitValue(conditions, 'cannot set Complete=True and FailureTarget=true conditions'));
  if ((changed.complete || changed.completionTime) && status.completionTime && !complete) errors.push(invalid('status.completionTime', status.completionTime, 'cannot set completionTime when there is no Complete=True condition'));
  if ((changed.complete || changed.completionTime) && !status.completionTime && complete) errors.push(required('status.completionTime', 'completionTime is required for Complete jobs'));
  if ((changed.startTime || changed.completionTime) && status.startTime && status.completionTime && status.completionTime < status.startTime) {
    errors.push(invalid('status.completionTime', status.completionTime, 'completionTime cannot be set before startTime'));
  }
  // The next four options exist in validation.go's JobStatusValidationOptions; the strategy.go read leaves them
  // unset, later releases set them when their fields change: the fake applies them that way (stricter, not looser).
  if ((changed.failed || changed.failedIndexes) && failed && !isTrue(status, 'FailureTarget')) errors.push(invalidOmitValue(conditions, 'cannot set Failed=True condition without the FailureTarget=true condition'));
  if ((changed.complete || changed.successCriteriaMet) && complete && !isTrue(status, 'SuccessCriteriaMet')) errors.push(invalidOmitValue(conditions, 'cannot set Complete=True condition without the SuccessCriteriaMet=true condition'));
  if ((changed.finished || changed.terminating) && finished && (status.terminating ?? 0) > 0) errors.push(invalid('status.terminating', status.terminating, 'terminating>0 is invalid for finished job'));
  if ((changed.ready || changed.active) && (status.ready ?? 0) > (status.active ?? 0)) errors.push(invalid('status.ready', status.ready, 'cannot set more ready pods than active'));
  if ((changed.finished || changed.active) && (status.active ?? 0) > 0 && finished) errors.push(invalid('status.active', status.active, 'active>0 is invalid for finished job'));
  if ((changed.finished || changed.startTime) && !status.startTime && finished) errors.push(required('status.startTime', 'startTime is required for finished job'));
  const uncounted = (status.uncountedTerminatedPods?.succeeded?.length ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0);
  if ((changed.finished || changed.uncounted) && finished && uncounted > 0) errors.push(invalid('status.uncountedTerminatedPods', status.uncountedTerminatedPods, 'uncountedTerminatedPods needs to be empty for finished job'));
  errors.push(...validateIndexesStatus(job, changed));
  if (isTrue(status, 'SuccessCriteriaMet') && failed) errors.push(invalidOmitValue(conditions, 'cannot set SuccessCriteriaMet=True and Failed=true conditions'));
  if (isTrue(status, 'SuccessCriteriaMet') && isTrue(status, 'FailureTarget')) errors.push(invalidOmitValue(conditions, 'cannot set SuccessCriteriaMet=True and FailureTarget=true conditions'));
  if (spec.successPolicy && !isTrue(status, 'SuccessCriteriaMet') && complete) errors.push(invalidOmitValue(conditions, 'cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True'));
  return errors;
}

/** completedIndexes / failedIndexes: the "1,3-5" syntax below completions, failedIndexes only with per-index backoff, no overlap. */
function validateIndexesStatus(job: Job, changed: Changed): FieldError[] {
  const { completions, backoffLimitPerIndex, completionMode } = job.spec;
  const status = job.status ?? {};
  const errors: FieldError[] = [];
  const completed = status.completedIndexes ?? '';
  if (changed.completedIndexes && completions !== undefined) {
    const problem = indexesFormatError(completed, completions);
    if (problem) errors.push(invalid('status.completedIndexes', completed, `error parsing completedIndexes: ${problem}`));
  }
  if (changed.failedIndexes && completions !== undefined && backoffLimitPerIndex !== undefined && status.failedIndexes !== undefined) {
    const problem = indexesFormatError(status.failedIndexes, completions);
    if (problem) errors.push(invalid('status.failedIndexes', status.failedIndexes, `error parsing failedIndexes: ${problem}`));
  }
  if (changed.completedIndexes && completed !== '' && completionMode !== 'Indexed') {
    errors.push(invalid('status.completedIndexes', completed, 'cannot set non-empty completedIndexes when non-indexed completion mode'));
  }
  if (changed.failedIndexes && backoffLimitPerIndex === undefined && status.failedIndexes !== undefined) {
    errors.push(invalid('status.failedIndexes', status.failedIndexes, 'cannot set non-null failedIndexes when backoffLimitPerIndex is null'));
  }
  if ((changed.failedIndexes || changed.completedIndexes) && completions !== undefined && status.failedIndexes !== undefined) {
    const overlap = overlappingIndex(completed, status.failedIndexes, completions);
    if (overlap !== undefined) errors.push(invalid('status.failedIndexes', status.failedIndexes, `failedIndexes and completedIndexes overlap at index: ${overlap}`));
  }
  return errors;
}

/** ValidateJobStatusUpdate: terminal conditions stay, counters do not go down, completionTime and startTime stay. */
function validateStatusTransition(job: Job, old: Job, changed: Changed): FieldError[] {
  const [next, before] = [job.status ?? {}, old.status ?? {}];
  const errors: FieldError[] = [];
  for (const type of ['Failed', 'Complete', 'FailureTarget']) {
    if (isTrue(before, type) && !isTrue(next, type)) errors.push(invalidOmitValue('status.conditions', `cannot disable the terminal ${type}=True condition`));
  }
  if ((next.failed ?? 0) < (before.failed ?? 0)) errors.push(invalid('status.failed', next.failed ?? 0, 'cannot decrease the failed counter'));
  const elastic = job.spec.completionMode === 'Indexed' && job.spec.completions === job.spec.parallelism;
  if (!elastic && (next.succeeded ?? 0) < (before.succeeded ?? 0)) errors.push(invalid('status.succeeded', next.succeeded ?? 0, 'cannot decrease the succeeded counter'));
  if (next.completionTime && before.completionTime && next.completionTime !== before.completionTime) errors.push(invalid('status.completionTime', next.completionTime, 'completionTime cannot be mutated'));
  if (changed.startTime && before.startTime && before.startTime !== next.startTime && !job.spec.suspend) errors.push(required('status.startTime', 'startTime cannot be removed for unsuspended job'));
  if (isTrue(before, 'SuccessCriteriaMet') && !isTrue(next, 'SuccessCriteriaMet')) errors.push(invalidOmitValue('status.conditions', 'cannot disable the SuccessCriteriaMet=True condition'));
  if (isTrue(before, 'Complete') && !isTrue(before, 'SuccessCriteriaMet') && isTrue(next, 'SuccessCriteriaMet')) {
    errors.push(invalidOmitValue('status.conditions', 'cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions'));
  }
  return errors;
}

/** parseIndexInterval for one "x" or "x-y" fragment. */
function parseInterval(text: string, completions: number): [number, number] | string {
  const limits = text.split('-');
  if (limits.length > 2) return `the fragment "${text}" violates the requirement that an index interval can have at most two parts separated by '-'`;
  const numbers: number[] = [];
  for (const limit of limits) {
    if (!/^[+-]?\d+$/.test(limit)) return `cannot convert string to integer for index: "${limit}"`;
    if (Number(limit) >= completions) return `too large index: "${limit}"`;
    numbers.push(Number(limit));
  }
  const [x, y = x] = numbers as [number, number?];
  if (limits.length === 2 && x >= y) return `non-increasing order, previous: ${x}, current: ${y}`;
  return [x, y];
}

/** validateIndexesFormat: the problem with an index list, or undefined when it is well formed. */
export function indexesFormatError(indexes: string, completions: number): string | undefined {
  if (indexes === '') return undefined;
  let last: number | undefined;
  for (const fragment of indexes.split(',')) {
    const interval = parseInterval(fragment, completions);
    if (typeof interval === 'string') return interval;
    if (last !== undefined && last >= interval[0]) return `non-increasing order, previous: ${last}, current: ${interval[0]}`;
    last = interval[1];
  }
  return undefined;
}

/** validateFailedIndexesNotOverlapCompleted, over well-formed fragments (bad ones are reported by the format rule). */
function overlappingIndex(completed: string, failed: string, completions: number): number | undefined {
  if (completed === '' || failed === '') return undefined;
  const intervals = (text: string) => text.split(',').map((fragment) => parseInterval(fragment, completions)).filter((i): i is [number, number] => typeof i !== 'string');
  for (const [cx, cy] of intervals(completed)) {
    for (const [fx, fy] of intervals(failed)) if (cx <= fy && fx <= cy) return Math.max(cx, fx);
  }
  return undefined;
}

/** The indexes of a well-formed "1,3-5" list. */
export function parseIndexes(indexes: string): number[] {
  if (indexes === '') return [];
  return indexes.split(',').flatMap((fragment) => {
    const [x, y = x] = fragment.split('-').map(Number) as [number, number?];
    return Array.from({ length: y - x + 1 }, (_, i) => x + i);
  });
}
