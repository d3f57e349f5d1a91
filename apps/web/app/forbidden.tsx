import Link from "next/link";

/** What forbidden() shows, with status 403: a page needs a role (or a sign-in) this visitor does not have. */
export default function Forbidden() {
  return (
    <main className="mx-auto grid w-full max-w-xl flex-1 place-items-center px-6 py-16 text-center">
      <div>
        <p className="text-sm font-semibold text-sky-700">403</p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight">This page is not for you</h1>
        <p className="mt-2 text-slate-600">It needs an account with another role. If you have one, sign in with it.</p>
        <div className="mt-6 flex justify-center gap-3">
          <Link href="/" className="rounded-lg bg-sky-600 px-4 py-2 font-semibold text-white hover:bg-sky-500">
            All labs
          </Link>
          <Link
            href="/sign-in"
            className="rounded-lg border border-slate-300 px-4 py-2 font-semibold hover:bg-slate-100"
          >
            Sign in
          </Link>
        </div>
      </div>
    </main>
  );
}
