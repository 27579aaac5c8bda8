export type Type =
  | { kind: 'double' }
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'null' }
  | { kind: 'list'; element: Type }
  | { kind: 'object'; name: string; fields: Readonly<Record<string, Type>> }
  /** The type of an expression that already has an error: checked no further, so one mistake reports once. */
  | { kind: 'error' };

export const DOUBLE: Type = { kind: 'double' };
export const STRING: Type = { kind: 'string' };
export const BOOL: Type = { kind: 'bool' };
export const NULL: Type = { kind: 'null' };
export const ERROR: Type = { kind: 'error' };
export const listOf = (element: Type): Type => ({ kind: 'list', element });
export const objectType = (name: string, fields: Record<string, Type>): Type => ({ kind: 'object', name, fields });

export function typeName(type: Type): string {
  switch (type.kind) {
    case 'list':
      return `list of ${typeName(type.element)}`;
    case 'object':
      return type.name;
    case 'double':
      return 'number';
    default:
      return type.kind;
  }
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind === 'error' || b.kind === 'error') return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'list' && b.kind === 'list') return sameType(a.element, b.element);
  if (a.kind === 'object' && b.kind === 'object') return a.name === b.name;
  return true;
}
