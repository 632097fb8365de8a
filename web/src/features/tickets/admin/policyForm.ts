import { asArray, asNumber, asObject, asString } from '../../../api/open';
import { METRICS } from '../sla';
import { PRIORITIES } from '../TicketTags';

type Minutes = Partial<Record<`${(typeof METRICS)[number]}_minutes`, number | null>>;

export type EscalationValues = { on: 'warning' | 'breach'; metric?: string; action: string; team_id?: number };

/** An SLA policy as the form holds it. */
export type PolicyValues = {
  name: string;
  enabled: boolean;
  calendar_id?: number;
  /** The category keys it applies to; every ticket when empty. */
  categories: string[];
  targets: Record<string, Minutes>;
  /** warn_fraction as a percentage. */
  warn_pct: number;
  dynamic_warning: boolean;
  escalations: EscalationValues[];
};

/**
 * The categories a policy's conditions select, when they are the shape this editor writes
 * (always, or `ticket.category in [...]`); null for conditions written some other way (through
 * the API), which the editor keeps as they are.
 */
export function conditionCategories(conditions: unknown): string[] | null {
  const c = asObject(conditions);
  if (conditions === undefined || conditions === null) return [];
  const all = c.all;
  if (!Array.isArray(all) || Object.keys(c).length !== 1) return null;
  if (all.length === 0) return [];
  if (all.length !== 1) return null;
  const test = asObject(all[0]);
  if (test.field !== 'ticket.category' || test.op !== 'in' || !Array.isArray(test.value)) return null;
  return test.value.filter((v): v is string => typeof v === 'string');
}

export function categoryConditions(keys: readonly string[]): object {
  return keys.length === 0 ? { all: [] } : { all: [{ field: 'ticket.category', op: 'in', value: [...keys] }] };
}

export function specToForm(spec: unknown, enabled: boolean): PolicyValues {
  const s = asObject(spec);
  const targets: Record<string, Minutes> = {};
  for (const p of PRIORITIES) {
    const set = asObject(asObject(s.targets)[p]);
    targets[p] = Object.fromEntries(METRICS.map((m) => [`${m}_minutes`, asNumber(set[`${m}_minutes`])]));
  }
  return {
    name: asString(s.name),
    enabled,
    calendar_id: asNumber(s.calendar_id) ?? undefined,
    categories: conditionCategories(s.conditions) ?? [],
    targets,
    warn_pct: Math.round((asNumber(s.warn_fraction) ?? 0.8) * 100),
    dynamic_warning: s.dynamic_warning === true,
    escalations: asArray(s.escalations).map((raw) => {
      const e = asObject(raw);
      return {
        on: e.on === 'breach' ? 'breach' : 'warning',
        metric: asString(e.metric) || undefined,
        action: asString(e.action),
        team_id: asNumber(e.team_id) ?? undefined,
      };
    }),
  };
}

/** The API's policy spec; `keptConditions` replaces the category filter when the stored conditions were not written here. */
export function formToSpec(v: PolicyValues, keptConditions: unknown | null): Record<string, unknown> {
  const targets: Record<string, Record<string, number>> = {};
  for (const p of PRIORITIES) {
    const set: Record<string, number> = {};
    for (const m of METRICS) {
      const value = v.targets?.[p]?.[`${m}_minutes`];
      if (typeof value === 'number') set[`${m}_minutes`] = value;
    }
    if (Object.keys(set).length > 0) targets[p] = set;
  }
  return {
    name: v.name,
    conditions: keptConditions ?? categoryConditions(v.categories ?? []),
    ...(v.calendar_id !== undefined ? { calendar_id: v.calendar_id } : {}),
    targets,
    warn_fraction: v.warn_pct / 100,
    dynamic_warning: v.dynamic_warning,
    escalations: (v.escalations ?? []).map((e) => ({
      on: e.on,
      ...(e.metric ? { metric: e.metric } : {}),
      action: e.action,
      ...(e.action === 'reassign_team' ? { team_id: e.team_id } : {}),
    })),
  };
}

/** API error paths of a policy (`targets.p1.resolution_minutes`, `escalations[0].team_id`) to form paths. */
export function policyFormPath(field: string): Array<string | number> | null {
  if (field === 'name' || field === 'calendar_id' || field === 'enabled') return [field];
  if (field === 'warn_fraction') return ['warn_pct'];
  if (field.startsWith('conditions')) return ['categories'];
  const target = /^targets\.(p[1-4])(?:\.(\w+))?$/.exec(field);
  if (target) return ['targets', target[1], target[2] ?? 'resolution_minutes'];
  const escalation = /^escalations\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (escalation) return ['escalations', Number(escalation[1]), escalation[2] ?? 'action'];
  return null;
}
