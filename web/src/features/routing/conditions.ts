// The routing condition tree (`{all: [...]}`, `{any: [...]}`, `{not: {...}}`, `{field, op, value}`)
// as the rule editor holds it, and the conversions both ways. The editor keeps each test's value
// in the shape its operator needs (text, number, list, duration…) and builds the exact JSON the
// server validates; paths of the JSON (`conditions.all[1].value`) find their node again for errors.

import type { TFunction } from 'i18next';
import { displayValue } from '../../api/open';
import type { RoutingField } from '../../api/types';
import { UNIT_SECONDS, formatDuration, isClock, parseDuration, type Unit } from './duration';

export type ValueType = 'text' | 'number' | 'bool';
export const VALUE_TYPES: readonly ValueType[] = ['text', 'number', 'bool'];

/** A test's value in the shape its operator needs. */
export type TestValue =
  | { shape: 'none' }
  | { shape: 'text'; text: string }
  | { shape: 'number'; number: number | null }
  | { shape: 'bool'; bool: boolean }
  /** A free-form field (custom attribute, form answer): text, number or boolean, as chosen. */
  | { shape: 'scalar'; type: ValueType; text: string }
  | { shape: 'list'; type: ValueType; items: string[] }
  | { shape: 'duration'; amount: number | null; unit: Unit }
  | { shape: 'span'; from: string; to: string }
  /** A single time of day (simulated facts of `clock` fields). */
  | { shape: 'clock'; text: string };

export type Shape = TestValue['shape'];

export type TestNode = {
  type: 'test';
  id: string;
  negate: boolean;
  /** The catalogue name: `entry.campaign`, or a family such as `contact.custom.*`. */
  field: string;
  /** The key within a family (`vip` of `contact.custom.vip`). */
  key: string;
  op: string;
  value: TestValue;
};

export type GroupNode = {
  type: 'group';
  id: string;
  negate: boolean;
  mode: 'all' | 'any';
  children: ConditionNode[];
};

export type ConditionNode = TestNode | GroupNode;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

let counter = 0;
function nextId(): string {
  counter += 1;
  return `c${counter}`;
}

export function isFamily(name: string): boolean {
  return name.endsWith('.*');
}

/** Catalogue entry and family key of a full field name (`contact.custom.vip`). */
export function findField(fields: readonly RoutingField[], name: string): { spec: RoutingField; key: string } | null {
  const exact = fields.find((f) => f.name === name);
  if (exact) return { spec: exact, key: '' };
  for (const spec of fields) {
    if (!isFamily(spec.name)) continue;
    const prefix = spec.name.slice(0, -1);
    if (name.startsWith(prefix) && name.length > prefix.length) return { spec, key: name.slice(prefix.length) };
  }
  return null;
}

export function fullFieldName(field: string, key: string): string {
  return isFamily(field) ? `${field.slice(0, -1)}${key.trim()}` : field;
}

/** The server's rule for a family key: 1–64 letters, digits, `_` or `-`. */
export function validKey(key: string): boolean {
  return /^[\p{L}\p{N}_-]{1,64}$/u.test(key.trim());
}

/** The value shape of `op` on a field of `kind`. */
export function valueShape(kind: string, op: string): Shape {
  switch (op) {
    case 'present':
    case 'absent':
      return 'none';
    case 'eq':
    case 'ne':
      if (kind === 'number') return 'number';
      if (kind === 'bool') return 'bool';
      if (kind === 'any') return 'scalar';
      return 'text';
    case 'in':
    case 'not_in':
    case 'contains_any':
    case 'contains_all':
      return 'list';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return 'number';
    case 'within_last':
    case 'not_within_last':
    case 'within_next':
      return 'duration';
    case 'between':
      return 'span';
    default:
      return 'text';
  }
}

/** A list's item type: numbers on number fields, texts otherwise (chosen on free-form fields). */
function listType(kind: string, op: string): ValueType {
  return kind === 'number' && (op === 'in' || op === 'not_in') ? 'number' : 'text';
}

export function emptyValue(shape: Shape, kind = 'text', op = ''): TestValue {
  switch (shape) {
    case 'none':
      return { shape };
    case 'text':
    case 'clock':
      return { shape, text: '' };
    case 'number':
      return { shape, number: null };
    case 'bool':
      return { shape, bool: true };
    case 'scalar':
      return { shape, type: 'text', text: '' };
    case 'list':
      return { shape, type: listType(kind, op), items: [] };
    case 'duration':
      return { shape, amount: null, unit: 'd' };
    case 'span':
      return { shape, from: '', to: '' };
  }
}

export function newTest(): TestNode {
  return { type: 'test', id: nextId(), negate: false, field: '', key: '', op: '', value: { shape: 'none' } };
}

export function newGroup(mode: 'all' | 'any' = 'all', children: ConditionNode[] = []): GroupNode {
  return { type: 'group', id: nextId(), negate: false, mode, children };
}

/** A new field resets the operator (to the field's first) and the value. */
export function withField(node: TestNode, field: string, fields: readonly RoutingField[]): TestNode {
  const spec = fields.find((f) => f.name === field);
  const op = spec?.ops[0] ?? '';
  const kind = spec?.kind ?? 'text';
  return { ...node, field, key: '', op, value: emptyValue(valueShape(kind, op), kind, op) };
}

/** A new operator keeps the value when its shape stays, and starts afresh otherwise. */
export function withOp(node: TestNode, op: string, fields: readonly RoutingField[]): TestNode {
  const kind = fields.find((f) => f.name === node.field)?.kind ?? 'text';
  const shape = valueShape(kind, op);
  const value = shape === node.value.shape ? node.value : emptyValue(shape, kind, op);
  return { ...node, op, value };
}

function scalarJson(type: ValueType, text: string): Json {
  if (type === 'number') return text.trim() === '' ? null : Number(text);
  if (type === 'bool') return text === 'true';
  return text;
}

/** The JSON of a value; `undefined` when the operator takes none. */
export function valueJson(value: TestValue): Json | undefined {
  switch (value.shape) {
    case 'none':
      return undefined;
    case 'text':
    case 'clock':
      return value.text;
    case 'number':
      return value.number;
    case 'bool':
      return value.bool;
    case 'scalar':
      return scalarJson(value.type, value.text);
    case 'list':
      return value.items.map((item) => scalarJson(value.type, item));
    case 'duration':
      return value.amount === null ? null : `${value.amount}${value.unit}`;
    case 'span':
      return [value.from, value.to];
  }
}

/** The JSON tree the server stores. */
export function toJson(node: ConditionNode): Json {
  let inner: Json;
  if (node.type === 'group') {
    inner = { [node.mode]: node.children.map(toJson) };
  } else {
    const test: { [key: string]: Json } = { field: fullFieldName(node.field, node.key), op: node.op };
    const value = valueJson(node.value);
    if (value !== undefined) test.value = value;
    inner = test;
  }
  return node.negate ? { not: inner } : inner;
}

function typeOf(value: unknown): ValueType {
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'bool' : 'text';
}

function readValue(shape: Shape, raw: unknown, kind: string, op: string): TestValue {
  switch (shape) {
    case 'none':
      return { shape };
    case 'text':
    case 'clock':
      return { shape, text: raw === undefined || raw === null ? '' : displayValue(raw) };
    case 'number':
      return { shape, number: typeof raw === 'number' ? raw : null };
    case 'bool':
      return { shape, bool: raw !== false };
    case 'scalar':
      return { shape, type: typeOf(raw), text: raw === undefined || raw === null ? '' : String(raw) };
    case 'list': {
      const items = Array.isArray(raw) ? raw : [];
      return {
        shape,
        type: kind === 'any' && items.length > 0 ? typeOf(items[0]) : listType(kind, op),
        items: items.map((item) => String(item)),
      };
    }
    case 'duration': {
      const parsed = parseDuration(raw);
      return { shape, amount: parsed?.amount ?? null, unit: parsed?.unit ?? 'd' };
    }
    case 'span': {
      const pair = Array.isArray(raw) ? raw : [];
      return { shape, from: typeof pair[0] === 'string' ? pair[0] : '', to: typeof pair[1] === 'string' ? pair[1] : '' };
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readNode(raw: unknown, fields: readonly RoutingField[]): ConditionNode {
  if (!isObject(raw)) return newGroup();
  if ('not' in raw) {
    const inner = readNode(raw.not, fields);
    // A double negation needs a group to hold the inner one.
    return inner.negate ? { ...newGroup('all', [inner]), negate: true } : { ...inner, negate: true };
  }
  for (const mode of ['all', 'any'] as const) {
    if (mode in raw) {
      const items = Array.isArray(raw[mode]) ? (raw[mode] as unknown[]) : [];
      return newGroup(mode, items.map((item) => readNode(item, fields)));
    }
  }
  const name = typeof raw.field === 'string' ? raw.field : '';
  const op = typeof raw.op === 'string' ? raw.op : '';
  const found = findField(fields, name);
  const field = found ? found.spec.name : name;
  const kind = found?.spec.kind ?? 'text';
  return {
    type: 'test',
    id: nextId(),
    negate: false,
    field,
    key: found?.key ?? '',
    op,
    value: readValue(valueShape(kind, op), raw.value, kind, op),
  };
}

/** The editor tree of stored conditions; the root is always a group. */
export function fromJson(raw: unknown, fields: readonly RoutingField[]): GroupNode {
  const node = readNode(raw, fields);
  return node.type === 'group' ? node : newGroup('all', [node]);
}

// ---- editing ----

export function updateNode(root: GroupNode, id: string, change: (node: ConditionNode) => ConditionNode): GroupNode {
  const visit = (node: ConditionNode): ConditionNode => {
    if (node.id === id) return change(node);
    if (node.type === 'group') return { ...node, children: node.children.map(visit) };
    return node;
  };
  return visit(root) as GroupNode;
}

export function removeNode(root: GroupNode, id: string): GroupNode {
  const visit = (group: GroupNode): GroupNode => ({
    ...group,
    children: group.children.filter((c) => c.id !== id).map((c) => (c.type === 'group' ? visit(c) : c)),
  });
  return visit(root);
}

export function addChild(root: GroupNode, groupId: string, child: ConditionNode): GroupNode {
  return updateNode(root, groupId, (node) => (node.type === 'group' ? { ...node, children: [...node.children, child] } : node));
}

// ---- paths ----

export const ROOT_PATH = 'conditions';

/**
 * Where each node's own keys live in the JSON (`conditions.all[1]`, or `conditions.all[1].not`
 * when negated), by node id; the outer path (without `.not`) too.
 */
export function nodePaths(root: GroupNode): Map<string, { outer: string; inner: string }> {
  const paths = new Map<string, { outer: string; inner: string }>();
  const visit = (node: ConditionNode, outer: string) => {
    const inner = node.negate ? `${outer}.not` : outer;
    paths.set(node.id, { outer, inner });
    if (node.type === 'group') node.children.forEach((child, i) => visit(child, `${inner}.${node.mode}[${i}]`));
  };
  visit(root, ROOT_PATH);
  return paths;
}

/** Error messages by JSON path. */
export type PathErrors = Map<string, string[]>;

/** Whether an error at `field` is about the node at `path` itself (not one of its children). */
function claims(field: string, path: { outer: string; inner: string }, group: boolean): boolean {
  if (field === path.outer || field === path.inner) return true;
  if (!field.startsWith(`${path.inner}.`)) return false;
  const rest = field.slice(path.inner.length + 1);
  // A group's `all`/`any` list itself; a test's `field`, `op`, `value` or a stray key.
  return group ? rest === 'all' || rest === 'any' : !rest.includes('.') && !rest.includes('[');
}

/** The messages that belong to a node. */
export function errorsOf(errors: PathErrors, path: { outer: string; inner: string }, group: boolean): string[] {
  return [...errors].filter(([field]) => claims(field, path, group)).flatMap(([, messages]) => messages);
}

function allNodes(root: GroupNode): ConditionNode[] {
  return [root, ...root.children.flatMap((c) => (c.type === 'group' ? allNodes(c) : [c]))];
}

/** Paths of errors that no node of the tree claims. */
export function unclaimedErrors(errors: PathErrors, root: GroupNode): string[] {
  const paths = nodePaths(root);
  const nodes = allNodes(root);
  return [...errors.keys()].filter(
    (field) =>
      !nodes.some((node) => {
        const path = paths.get(node.id);
        return path !== undefined && claims(field, path, node.type === 'group');
      }),
  );
}

/** The errors left once the user has changed node `id` (its own go; the rest stay). */
export function dropErrorsOf(errors: PathErrors, root: GroupNode, id: string): PathErrors {
  const path = nodePaths(root).get(id);
  const node = allNodes(root).find((n) => n.id === id);
  if (!path || !node) return errors;
  return new Map([...errors].filter(([field]) => !claims(field, path, node.type === 'group')));
}

// ---- checking ----

/** What the editor can tell before asking the server: a field, an operator, a value. */
export function checkTree(t: TFunction, root: GroupNode): PathErrors {
  const errors: PathErrors = new Map();
  const add = (field: string, message: string) => {
    errors.set(field, [...(errors.get(field) ?? []), message]);
  };
  const paths = nodePaths(root);
  const visit = (node: ConditionNode) => {
    const { inner } = paths.get(node.id) ?? { inner: ROOT_PATH };
    if (node.type === 'group') {
      if (node.mode === 'any' && node.children.length === 0) add(`${inner}.any`, t('routing.cond.errors.emptyAny'));
      node.children.forEach(visit);
      return;
    }
    if (!node.field) {
      add(`${inner}.field`, t('routing.cond.errors.pickField'));
      return;
    }
    if (isFamily(node.field) && !validKey(node.key)) add(`${inner}.field`, t('routing.cond.errors.key'));
    if (!node.op) {
      add(`${inner}.op`, t('routing.cond.errors.pickOp'));
      return;
    }
    const value = node.value;
    const at = `${inner}.value`;
    switch (value.shape) {
      case 'number':
        if (value.number === null) add(at, t('routing.cond.errors.number'));
        break;
      case 'scalar':
        if (value.type === 'number' && (value.text.trim() === '' || Number.isNaN(Number(value.text)))) {
          add(at, t('routing.cond.errors.number'));
        }
        break;
      case 'list':
        if (value.items.length === 0) add(at, t('routing.cond.errors.list'));
        else if (value.type === 'number' && value.items.some((item) => item.trim() === '' || Number.isNaN(Number(item)))) {
          add(at, t('routing.cond.errors.number'));
        }
        break;
      case 'duration':
        if (value.amount === null || value.amount <= 0) add(at, t('routing.cond.errors.duration'));
        break;
      case 'span':
        if (!isClock(value.from) || !isClock(value.to)) add(at, t('routing.cond.errors.clock'));
        else if (value.from === value.to) add(at, t('routing.cond.errors.clockSame'));
        break;
      default:
        break;
    }
  };
  visit(root);
  return errors;
}

// ---- reading for people ----

/** The translated name of a catalogue field (the server's English label when unknown). */
export function fieldLabel(t: TFunction, name: string, fallback?: string): string {
  const slug = name.replace(/\.\*$/, '.any').replace(/\./g, '_');
  return t(`routing.fieldNames.${slug}`, { defaultValue: fallback || name });
}

export function opLabel(t: TFunction, op: string): string {
  // Operators only automation uses (within_next) are named under automation.ops.
  return t([`routing.ops.${op}`, `automation.ops.${op}`], { defaultValue: op });
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `“${value}”` : displayValue(value);
}

function describeValue(t: TFunction, op: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (op === 'within_last' || op === 'not_within_last' || op === 'within_next') {
    const parsed = parseDuration(value);
    return parsed ? formatDuration(t, parsed.amount * UNIT_SECONDS[parsed.unit]) : displayValue(value);
  }
  if (op === 'between' && Array.isArray(value)) return value.map(String).join('–');
  if (Array.isArray(value)) return `[${value.map(quote).join(', ')}]`;
  if (typeof value === 'boolean') return t(`routing.bool.${value}`);
  return quote(value);
}

/** One line describing stored conditions: `入口活动 等于 “双11” 且 （…）`. */
export function summarize(t: TFunction, raw: unknown, fields: readonly RoutingField[]): string {
  const visit = (node: unknown, nested: boolean): string => {
    if (!isObject(node)) return '';
    if ('not' in node) return t('routing.cond.notSummary', { inner: visit(node.not, false) });
    for (const mode of ['all', 'any'] as const) {
      if (mode in node) {
        const items = Array.isArray(node[mode]) ? (node[mode] as unknown[]) : [];
        if (items.length === 0) return mode === 'all' ? t('routing.cond.always') : '';
        const text = items.map((item) => visit(item, true)).join(t(`routing.cond.${mode === 'all' ? 'and' : 'or'}`));
        return nested && items.length > 1 ? t('routing.cond.nested', { inner: text }) : text;
      }
    }
    const name = typeof node.field === 'string' ? node.field : '';
    const op = typeof node.op === 'string' ? node.op : '';
    const found = findField(fields, name);
    const label = found ? `${fieldLabel(t, found.spec.name, found.spec.label)}${found.key ? ` ${found.key}` : ''}` : name;
    return [label, opLabel(t, op), describeValue(t, op, node.value)].filter(Boolean).join(' ');
  };
  return visit(raw, false);
}
