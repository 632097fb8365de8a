// A route (teams, dedicated agent, skills, strategy, priority, tags, offline notice, sticky) as an
// antd form holds it, and back; and where a 422 path such as `route.skills[1].min` lands.

import { formPathOf } from '../channels/settings';
import type { PriorityName, RouteDto, RoutingRule, SaveRule, StrategyName } from '../../api/types';

export type RouteValues = {
  teams: number[];
  agent_id?: number | null;
  skills: Array<{ name?: string; min?: number | null }>;
  strategy: StrategyName;
  priority?: PriorityName | null;
  tags: string[];
  offline_notice?: string;
  sticky: boolean;
};

export function routeValues(route?: RouteDto | null): RouteValues {
  return {
    teams: route?.teams ?? [],
    agent_id: route?.agent_id ?? undefined,
    skills: (route?.skills ?? []).map((s) => ({ name: s.name, min: s.min ?? 1 })),
    strategy: route?.strategy ?? 'least_load',
    priority: route?.priority ?? undefined,
    tags: route?.tags ?? [],
    offline_notice: route?.offline_notice ?? '',
    sticky: route?.sticky ?? true,
  };
}

/** The body the server takes (it refuses unknown keys, so exactly these). */
export function routeDto(values: RouteValues): RouteDto {
  const notice = values.offline_notice?.trim() ?? '';
  return {
    teams: values.teams ?? [],
    agent_id: values.agent_id ?? null,
    skills: (values.skills ?? [])
      .filter((s) => (s.name ?? '').trim() !== '')
      .map((s) => ({ name: (s.name ?? '').trim(), min: s.min ?? 1 })),
    strategy: values.strategy,
    priority: values.priority ?? null,
    tags: (values.tags ?? []).map((tag) => tag.trim()).filter(Boolean),
    offline_notice: notice === '' ? null : notice,
    sticky: values.sticky !== false,
  };
}

/** A stored rule as a save body, with changes (a reorder or the enabled switch). */
export function saveBody(rule: RoutingRule, change: { enabled?: boolean; position?: number } = {}): SaveRule {
  return {
    name: rule.name,
    enabled: change.enabled ?? rule.enabled,
    position: change.position ?? rule.position,
    conditions: rule.conditions,
    route: routeDto(routeValues(rule.route)),
  };
}

const ROUTE_KEYS = new Set(['teams', 'agent_id', 'skills', 'strategy', 'priority', 'tags', 'offline_notice', 'sticky']);

/**
 * The form path of an API error about the route under `prefix`: `route.teams[0]` → `['route', 'teams']`
 * (the list's select), `route.skills[1].min` → `['route', 'skills', 1, 'min']`; `null` for others.
 */
export function routeFormPath(prefix: string, field: string): Array<string | number> | null {
  if (!field.startsWith(`${prefix}.`)) return null;
  const path = formPathOf(field.slice(prefix.length + 1), '');
  if (!path || typeof path[0] !== 'string' || !ROUTE_KEYS.has(path[0])) return null;
  const [key, index, sub] = path;
  if (key === 'skills' && typeof index === 'number') return [prefix, 'skills', index, sub === 'min' ? 'min' : 'name'];
  return [prefix, key];
}

/** Rules to re-save to move `rules[index]` one place up (-1) or down (+1); `rules` in order. */
export function movePlan(rules: RoutingRule[], index: number, step: -1 | 1): Array<{ rule: RoutingRule; position: number }> {
  const other = index + step;
  if (index < 0 || other < 0 || other >= rules.length) return [];
  const a = rules[index];
  const b = rules[other];
  const shared = rules.some((r) => r !== a && r !== b && (r.position === a.position || r.position === b.position));
  if (a.position !== b.position && !shared) {
    return [
      { rule: a, position: b.position },
      { rule: b, position: a.position },
    ];
  }
  // Positions shared (ordered by id then): number them all afresh in the new order.
  const order = [...rules];
  order[index] = b;
  order[other] = a;
  return order.map((rule, i) => ({ rule, position: i + 1 })).filter(({ rule, position }) => rule.position !== position);
}
