import type { EntityMetadata } from 'typeorm';

/*
 * Pieces of plain statements, taken from an entity's mapping, for the hot paths that skip the
 * query builder: the names stay those of the entity, so a renamed column cannot be missed here.
 */

/** `"first_name" AS "firstName", …`: every mapped column, so rows come back as entities. */
export function selectList(metadata: EntityMetadata): string {
  return metadata.columns
    .map((column) => `"${column.databaseName}" AS "${column.propertyName}"`)
    .join(', ');
}

/** The quoted column an entity property maps to. */
export function columnOf<Entity>(
  metadata: EntityMetadata,
  property: keyof Entity & string,
): string {
  const column = metadata.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${metadata.name} maps no column to ${property}`);
  return `"${column.databaseName}"`;
}

/** The entity's table, quoted. */
export function tableOf(metadata: EntityMetadata): string {
  return `"${metadata.tableName}"`;
}
