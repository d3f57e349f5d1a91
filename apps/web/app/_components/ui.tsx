/** Small pieces the forms and tables share. */

export const fieldClass =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/40";

export const searchClass =
  "w-full max-w-md rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/40";

/** A form's error, read out when it appears. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
      {message}
    </p>
  );
}

/** A table's header row from its column names. */
export function HeaderRow({ columns }: { columns: string[] }) {
  return (
    <tr>
      {columns.map((column) => (
        <th key={column} scope="col" className="px-3 py-2">
          {column}
        </th>
      ))}
    </tr>
  );
}

/** A table's only row, while it loads or when it has nothing to show. */
export function MessageRow({ columns, children }: { columns: number; children: React.ReactNode }) {
  return (
    <tr>
      <td colSpan={columns} className="px-3 py-6 text-center text-slate-500">
        {children}
      </td>
    </tr>
  );
}
