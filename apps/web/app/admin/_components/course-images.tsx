"use client";

import { useRouter } from "next/navigation";
import { JobPanel } from "./job-panel.tsx";

export interface CourseImageGroup {
  title: string;
  images: { name: string; held: boolean }[];
}

/**
 * The images each course's sandboxes pull, whether the registry mirror holds each, and a button that preloads a
 * course's images (built from Debian packages where missing) with the output live: before an event, so a room of
 * attendees pulls nothing from the internet.
 */
export function CourseImages({ groups, mirrorUrl }: { groups: CourseImageGroup[]; mirrorUrl: string | null }) {
  const router = useRouter();
  const all = [...new Set(groups.flatMap((g) => g.images.map((i) => i.name)))];
  return (
    <div>
      <p className="mt-1 text-sm text-slate-600">
        Sandboxes with their own Docker engine pull through the registry mirror beside them
        {mirrorUrl ? (
          <>
            {" "}
            (<code className="font-mono text-xs">{mirrorUrl}</code>)
          </>
        ) : (
          " (it starts with the first such sandbox or preload)"
        )}
        . What it holds works with no internet.
      </p>
      {groups.length === 0 ? (
        <p className="mt-3 text-sm text-slate-500">No scenario names the images it pulls (backend.images).</p>
      ) : (
        groups.map((group) => {
          const missing = group.images.filter((i) => !i.held).length;
          return (
            <div key={group.title} className="mt-3" data-course-images={group.title}>
              <h3 className="text-sm font-semibold">
                {group.title}{" "}
                <span className="font-normal text-slate-500">
                  {missing === 0 ? "· all in the mirror" : `· ${missing} of ${group.images.length} not preloaded`}
                </span>
              </h3>
              <ul className="mt-1 flex flex-wrap gap-1.5 text-xs">
                {group.images.map((image) => (
                  <li
                    key={image.name}
                    data-image={image.name}
                    data-held={image.held ? "yes" : "no"}
                    className={`rounded px-1.5 py-0.5 font-mono ${image.held ? "bg-emerald-50 text-emerald-900 ring-1 ring-emerald-200" : "bg-amber-100 text-amber-900"}`}
                  >
                    {image.name}
                    <span className="sr-only">{image.held ? " (in the mirror)" : " (not preloaded)"}</span>
                  </li>
                ))}
              </ul>
            </div>
          );
        })
      )}
      {all.length > 0 && (
        <JobPanel
          endpoint="/api/admin/images/preload"
          actions={[
            { label: "Preload missing images", body: { images: all }, primary: true },
            ...groups.map((g) => ({ label: `Preload ${g.title}`, body: { images: g.images.map((i) => i.name) } })),
          ]}
          runningText="Preloading…"
          doneText="Preloaded"
          logLabel="Preload output"
          onDone={() => router.refresh()}
        />
      )}
    </div>
  );
}
