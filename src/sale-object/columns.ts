/** A record whose every field can be stored in one SQLite column. */
export type Storable<T> = { [K in keyof T]: SqlStorageValue };

/** T as a plain object type, which SqlStorage.exec accepts as a row type (an interface it does not). */
export type Row<T> = { [K in keyof T]: T[K] };

/** The SQL fragments that read and write a record of type T, made once from its column names. */
export interface Columns<T extends Storable<T>> {
	/** `col, other_col`: the columns, in field order, for an INSERT. */
	readonly names: string;
	/** `?, ?`: one placeholder per column, in field order. */
	readonly placeholders: string;
	/** `col, other_col AS "otherCol"`: a SELECT list whose rows come back as T. */
	readonly select: string;
	/** The record's values in field order, to bind to `placeholders`. */
	values(record: T): SqlStorageValue[];
}

/**
 * Maps each field of T to the column that stores it, so a table's rows are
 * read into and written from T by name, never by position or by a mapper
 * that repeats every field.
 */
export function columns<T extends Storable<T>>(byField: { readonly [K in keyof T]-?: string }): Columns<T> {
	const fields = Object.keys(byField) as (keyof T & string)[];
	const column = (field: keyof T & string) => byField[field];
	return {
		names: fields.map(column).join(", "),
		placeholders: fields.map(() => "?").join(", "),
		select: fields
			.map((field) => (column(field) === field ? field : `${column(field)} AS "${field}"`))
			.join(", "),
		values: (record) => fields.map((field) => record[field]),
	};
}
