/**
 * The difference between two desired tables as the ordered operations a data plane that works
 * by commands (IPVS, nft maps) applies: services that went away are removed first; then, for
 * every service kept, its attributes are edited and its destinations added, edited, removed —
 * adding before removing so that a service never passes through an empty moment when one
 * destination replaces another (the sorry server taking over); new services come last, each
 * followed by its destinations. Applying the operations to `old` yields `new`.
 */
import type { DesiredDestination, DesiredService, DesiredTable } from './table-types.js';

export type TableOperation =
  | { readonly op: 'remove-service'; readonly service: DesiredService }
  | { readonly op: 'edit-service'; readonly service: DesiredService; readonly previous: DesiredService }
  | { readonly op: 'add-service'; readonly service: DesiredService }
  | { readonly op: 'add-destination'; readonly serviceId: string; readonly destination: DesiredDestination }
  | {
      readonly op: 'edit-destination';
      readonly serviceId: string;
      readonly destination: DesiredDestination;
      readonly previous: DesiredDestination;
    }
  | { readonly op: 'remove-destination'; readonly serviceId: string; readonly destination: DesiredDestination };

/** A destination's identity within its service. */
export function destinationKey(d: DesiredDestination): string {
  return `${d.family} ${d.address} ${d.port}`;
}

function sameServiceAttributes(a: DesiredService, b: DesiredService): boolean {
  return (
    a.scheduler === b.scheduler &&
    a.flags.length === b.flags.length &&
    a.flags.every((f, i) => f === b.flags[i]) &&
    a.persistence?.timeout === b.persistence?.timeout &&
    a.persistence?.granularity === b.persistence?.granularity
  );
}

function sameDestination(a: DesiredDestination, b: DesiredDestination): boolean {
  return (
    a.weight === b.weight &&
    a.forwarding === b.forwarding &&
    a.upperThreshold === b.upperThreshold &&
    a.lowerThreshold === b.lowerThreshold &&
    Boolean(a.sorry) === Boolean(b.sorry)
  );
}

export function diffTables(oldTable: DesiredTable, newTable: DesiredTable): TableOperation[] {
  const ops: TableOperation[] = [];
  const oldById = new Map(oldTable.services.map((s) => [s.id, s]));
  const newById = new Map(newTable.services.map((s) => [s.id, s]));

  for (const service of oldTable.services) {
    if (!newById.has(service.id)) ops.push({ op: 'remove-service', service });
  }

  for (const service of newTable.services) {
    const previous = oldById.get(service.id);
    if (!previous) continue;
    if (!sameServiceAttributes(previous, service)) ops.push({ op: 'edit-service', service, previous });
    const before = new Map(previous.destinations.map((d) => [destinationKey(d), d]));
    const after = new Map(service.destinations.map((d) => [destinationKey(d), d]));
    for (const [key, destination] of after) {
      if (!before.has(key)) ops.push({ op: 'add-destination', serviceId: service.id, destination });
    }
    for (const [key, destination] of after) {
      const was = before.get(key);
      if (was && !sameDestination(was, destination)) {
        ops.push({ op: 'edit-destination', serviceId: service.id, destination, previous: was });
      }
    }
    for (const [key, destination] of before) {
      if (!after.has(key)) ops.push({ op: 'remove-destination', serviceId: service.id, destination });
    }
  }

  for (const service of newTable.services) {
    if (oldById.has(service.id)) continue;
    ops.push({ op: 'add-service', service });
    for (const destination of service.destinations) ops.push({ op: 'add-destination', serviceId: service.id, destination });
  }
  return ops;
}

/** Apply operations to a table (what a command-driven data plane ends up holding); used to check diffs. */
export function applyOperations(table: DesiredTable, ops: readonly TableOperation[]): DesiredTable {
  const services = new Map<string, { service: DesiredService; destinations: Map<string, DesiredDestination> }>();
  for (const s of table.services) services.set(s.id, { service: s, destinations: new Map(s.destinations.map((d) => [destinationKey(d), d])) });
  for (const o of ops) {
    switch (o.op) {
      case 'remove-service':
        services.delete(o.service.id);
        break;
      case 'add-service':
        services.set(o.service.id, { service: o.service, destinations: new Map() });
        break;
      case 'edit-service': {
        const entry = services.get(o.service.id);
        if (entry) entry.service = o.service;
        break;
      }
      case 'add-destination':
      case 'edit-destination':
        services.get(o.serviceId)?.destinations.set(destinationKey(o.destination), o.destination);
        break;
      case 'remove-destination':
        services.get(o.serviceId)?.destinations.delete(destinationKey(o.destination));
        break;
    }
  }
  return {
    services: [...services.values()].map(({ service, destinations }) => ({ ...service, destinations: [...destinations.values()] })),
  };
}
