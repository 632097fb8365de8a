import { useCallback, useState } from 'react';
import { App as AntApp, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ConditionChange } from './ConditionEditor';
import { checkTree, dropErrorsOf, newGroup, unclaimedErrors, type GroupNode, type PathErrors } from './conditions';
import { isApiError } from '../../api/errors';
import { describeError } from '../../api/errorText';

export type FieldPath = Array<string | number>;
export type FieldError = { field: string; message: string };

/**
 * Where a 422 detail of a rule goes: the condition tree (`conditions…`, also under `spec.`), the
 * form field `formPath` names, or the list of the rest.
 */
export function placeRuleErrors(details: FieldError[], formPath: (field: string) => FieldPath | null) {
  const conditions: PathErrors = new Map();
  const form = new Map<string, { name: FieldPath; errors: string[] }>();
  const rest: FieldError[] = [];
  for (const d of details) {
    const bare = d.field.replace(/^spec\./, '');
    if (bare === 'conditions' || bare.startsWith('conditions.')) {
      conditions.set(bare, [...(conditions.get(bare) ?? []), d.message]);
      continue;
    }
    const name = formPath(d.field);
    if (!name) {
      rest.push(d);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = form.get(key) ?? { name, errors: [] };
    entry.errors.push(d.message);
    form.set(key, entry);
  }
  return { conditions, form: [...form.values()], rest };
}

/**
 * The condition tree of a rule drawer with its errors: local checks before saving, and the API's
 * 422 details placed on the tree, on form fields, or in a list of the rest.
 */
export function useConditionTree() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [tree, setTree] = useState<GroupNode>(() => newGroup());
  const [treeErrors, setTreeErrors] = useState<PathErrors>(new Map());
  const [otherErrors, setOtherErrors] = useState<FieldError[]>([]);

  /** A freshly opened drawer: this tree, no errors. */
  const reset = useCallback((next: GroupNode) => {
    setTree(next);
    setTreeErrors(new Map());
    setOtherErrors([]);
  }, []);

  const onTreeChange = (next: GroupNode, change: ConditionChange) => {
    setTreeErrors((errors) => ('edited' in change ? dropErrorsOf(errors, tree, change.edited) : new Map()));
    setTree(next);
  };

  /** Before saving: clears the listed errors and checks the tree here; true when it holds. */
  const checkBeforeSave = () => {
    setOtherErrors([]);
    const local = checkTree(t, tree);
    setTreeErrors(local);
    return local.size === 0;
  };

  /** A failed save: field errors where their path points, anything else as a message. */
  const onApiError = (error: unknown, form: FormInstance, formPath: (field: string) => FieldPath | null) => {
    if (!isApiError(error) || error.details.length === 0) {
      void message.error(describeError(t, error));
      return;
    }
    const placed = placeRuleErrors(error.details, formPath);
    form.setFields(placed.form);
    setTreeErrors(placed.conditions);
    const lost = unclaimedErrors(placed.conditions, tree).flatMap((field) =>
      (placed.conditions.get(field) ?? []).map((m) => ({ field, message: m })),
    );
    setOtherErrors([...placed.rest, ...lost]);
  };

  return { tree, treeErrors, otherErrors, reset, onTreeChange, checkBeforeSave, onApiError };
}
