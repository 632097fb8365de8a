import { asArray, asObject, asString } from '../../api/open';

/** What a state means to the system, whatever the account calls it. */
export const STATE_KINDS = ['new', 'open', 'pending', 'resolved', 'closed'] as const;

export type WorkflowState = { key: string; name: string; kind: string };
/** The account's ticket states and, per state key, the states it may move to. */
export type Workflow = { states: WorkflowState[]; transitions: Record<string, string[]> };

/** Reads GET /ticket-workflow (an open object in the OpenAPI document). */
export function readWorkflow(value: unknown): Workflow {
  const raw = asObject(value);
  const transitions: Record<string, string[]> = {};
  for (const [from, targets] of Object.entries(asObject(raw.transitions))) {
    transitions[from] = asArray(targets).filter((k): k is string => typeof k === 'string');
  }
  return {
    states: asArray(raw.states).map((s) => {
      const state = asObject(s);
      return { key: asString(state.key), name: asString(state.name), kind: asString(state.kind) };
    }),
    transitions,
  };
}

/** The states a ticket in `from` may move to, in the workflow's order of states. */
export function allowedMoves(workflow: Workflow, from: string): WorkflowState[] {
  const targets = new Set(workflow.transitions[from] ?? []);
  return workflow.states.filter((s) => targets.has(s.key) && s.key !== from);
}

export function stateName(workflow: Workflow | undefined, key: string): string {
  return workflow?.states.find((s) => s.key === key)?.name ?? key;
}

/** The antd colour of a state by its kind. */
export const KIND_COLOURS: Record<string, string> = {
  new: 'blue',
  open: 'processing',
  pending: 'gold',
  resolved: 'green',
  closed: 'default',
};
