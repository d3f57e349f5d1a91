import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto grid w-full max-w-xl flex-1 place-items-center px-6 py-16 text-center">
      <div>
        <p className="text-sm font-semibold text-sky-700">404</p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight">There is no such lab</h1>
        <p className="mt-2 text-slate-600">The link may be old, or the scenario was removed.</p>
        <Link
          href="/"
          className="mt-6 inline-block rounded-lg bg-sky-600 px-4 py-2 font-semibold text-white hover:bg-sky-500"
        >
          All labs
        </Link>
      </div>
    </main>
  );
}
