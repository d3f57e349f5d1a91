import { sshPoolOf } from "@dockyard/scenario";
import type { Metadata } from "next";
import { library } from "@/server/catalog.ts";
import { environmentMap } from "@/server/environments.ts";
import { gatewaySettingsOf, inspectImages, mirrorHolds, warmPoolStatus } from "@/server/gateway-client.ts";
import { CourseImages } from "../_components/course-images.tsx";
import { bytes } from "../_components/format.ts";
import { ImageBuild } from "../_components/image-build.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Environments · Admin" };

const hms = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

/** What sandboxes are made of: environments, their images, warm pools, and the limits and switches that apply. */
export default async function EnvironmentsPage() {
  const map = environmentMap();
  const entries = [...Object.entries(map.environments), ["(anything else)", map.fallback] as const];
  // The sandboxes' images, and the registry mirror's own (machines of ssh pools have none).
  const images = [
    ...new Set([
      ...entries.flatMap(([, spec]) => spec.hosts.map((h) => h.image).filter((i) => sshPoolOf(i) === undefined)),
      "dockyard/registry:latest",
    ]),
  ].sort();
  // The images each course's scenarios pull (backend.images), and whether the registry mirror holds them.
  const { scenarios, courses } = await library();
  const imagesOf = new Map(scenarios.map((s) => [s.slug, s.images]));
  const inCourses = new Set(courses.flatMap((c) => c.slugs));
  const wanted = [
    ...courses.map((c) => ({
      title: c.title,
      images: [...new Set(c.slugs.flatMap((slug) => imagesOf.get(slug) ?? []))],
    })),
    {
      title: "Other labs",
      images: [...new Set(scenarios.filter((s) => !inCourses.has(s.slug)).flatMap((s) => s.images))],
    },
  ].filter((g) => g.images.length > 0);
  const courseImages = [...new Set(wanted.flatMap((g) => g.images))].slice(0, 50);
  const [found, settings, pools, mirror] = await Promise.all([
    inspectImages(images),
    gatewaySettingsOf(),
    warmPoolStatus(),
    courseImages.length > 0 ? mirrorHolds(courseImages) : Promise.resolve(undefined),
  ]);
  const held = new Map(mirror?.ok ? mirror.value.images.map((i) => [i.name, i.held]) : []);
  const groups = wanted.map((g) => ({
    title: g.title,
    images: g.images.map((name) => ({ name, held: held.get(name) ?? false })),
  }));
  const byName = new Map(found.ok ? found.value.images.map((i) => [i.name, i]) : []);
  const card = "rounded-xl border border-slate-200 bg-white p-4 shadow-sm";
  return (
    <div className="mt-5 grid gap-5 xl:grid-cols-2">
      <section aria-label="Limits and switches" className={card}>
        <h2 className="text-lg font-bold">Limits and switches</h2>
        {settings.ok ? (
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1.5 text-sm">
            <dt className="text-slate-600">Sandboxes at once</dt>
            <dd>{settings.value.limits.maxSessions}</dd>
            <dt className="text-slate-600">Per user</dt>
            <dd>{settings.value.limits.maxPerUser}</dd>
            <dt className="text-slate-600">Starting at once</dt>
            <dd>{settings.value.limits.maxStarting}</dd>
            <dt className="text-slate-600">Lifetime</dt>
            <dd>
              {`${hms(settings.value.lifetime.ttlSeconds)}, extendable to ${hms(settings.value.lifetime.maxTtlSeconds)}; idle ones go after ${hms(settings.value.lifetime.idleSeconds)}`}
            </dd>
            <dt className="text-slate-600">Disk per host</dt>
            <dd>{settings.value.diskMb} MB</dd>
            <dt className="text-slate-600">Warm pool</dt>
            <dd>
              {settings.value.pool.size} per kind, plus what events reserve (at most {settings.value.pool.reservedMax}{" "}
              in all)
            </dd>
            <dt className="text-slate-600">Internet</dt>
            <dd>{settings.value.internet ? "on" : "off"}</dd>
            <dt className="text-slate-600">docker environment</dt>
            <dd>{settings.value.allowDocker ? "allowed" : "not allowed (SANDBOX_ALLOW_DOCKER=on allows it)"}</dd>
            <dt className="text-slate-600">Host firewall</dt>
            <dd className={settings.value.firewall === "failed" ? "font-semibold text-red-700" : ""}>
              {settings.value.firewall}
            </dd>
          </dl>
        ) : (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {settings.error.message}
          </p>
        )}
        <p className="mt-3 text-xs text-slate-500">
          Set by the gateway&apos;s environment (see the README&apos;s Configuration).
        </p>
      </section>

      <section aria-label="Images" className={card}>
        <h2 className="text-lg font-bold">Images</h2>
        <ul className="mt-3 divide-y divide-slate-100 text-sm">
          {images.map((name) => {
            const image = byName.get(name);
            return (
              <li key={name} data-image={name} className="flex flex-wrap items-center gap-x-3 py-1.5">
                <code className="font-mono">{name}</code>
                {image?.present ? (
                  <span className="text-slate-600">
                    {image.sizeBytes !== undefined ? bytes(image.sizeBytes) : ""}
                    {image.createdAt ? ` · built ${new Date(image.createdAt).toLocaleString("en-GB")}` : ""}
                  </span>
                ) : (
                  <span className="rounded bg-amber-100 px-1.5 text-xs font-semibold text-amber-900">missing</span>
                )}
              </li>
            );
          })}
        </ul>
        {!found.ok && (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {found.error.message}
          </p>
        )}
        <ImageBuild />
      </section>

      <section aria-label="Course images" className={card}>
        <h2 className="text-lg font-bold">Course images</h2>
        <CourseImages groups={groups} mirrorUrl={mirror?.ok ? mirror.value.url : null} />
        {mirror && !mirror.ok && (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {mirror.error.message}
          </p>
        )}
      </section>

      <section aria-label="Environments" className={`${card} xl:col-span-2`}>
        <h2 className="text-lg font-bold">Environments</h2>
        <p className="mt-1 text-sm text-slate-600">
          A scenario names its environment by image id; each maps to hosts and images here (ENVIRONMENTS_FILE adds or
          changes them).
        </p>
        <div className="relative mt-3 overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-slate-200 text-left text-slate-700">
              <tr>
                <th scope="col" className="px-2 py-1.5">
                  Image id
                </th>
                <th scope="col" className="px-2 py-1.5">
                  Hosts
                </th>
                <th scope="col" className="px-2 py-1.5">
                  Internet
                </th>
                <th scope="col" className="px-2 py-1.5">
                  Note
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {entries.map(([id, spec]) => (
                <tr key={id}>
                  <td className="px-2 py-1.5 font-mono">{id}</td>
                  <td className="px-2 py-1.5">
                    {spec.hosts.map((h) => (
                      <div key={h.name}>
                        {h.name}:{" "}
                        {sshPoolOf(h.image) === undefined ? (
                          <code>{h.image}</code>
                        ) : (
                          <>
                            a machine from ssh pool <code>{sshPoolOf(h.image)}</code>
                          </>
                        )}
                        {h.docker ? " · own Docker engine" : ""}
                      </div>
                    ))}
                  </td>
                  <td className="px-2 py-1.5">{spec.internet === false ? "off" : "on"}</td>
                  <td className="px-2 py-1.5 text-slate-600">{spec.note ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-label="Warm pools" className={`${card} xl:col-span-2`}>
        <h2 className="text-lg font-bold">Warm pools</h2>
        {pools.ok ? (
          pools.value.pools.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600">No pool yet: one starts with the first sandbox of each kind.</p>
          ) : (
            <ul className="mt-2 divide-y divide-slate-100 text-sm">
              {pools.value.pools.map((pool) => (
                <li key={JSON.stringify(pool.hosts)} className="flex flex-wrap gap-x-4 py-1.5">
                  <span className="font-mono">{pool.hosts.map((h) => `${h.name}=${h.image}`).join(", ")}</span>
                  <span>
                    {pool.ready} of {pool.target} ready
                  </span>
                  {pool.reservations.length > 0 && (
                    <span className="text-slate-600">
                      {pool.reserved} reserved by {pool.reservations.join(", ")}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )
        ) : (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {pools.error.message}
          </p>
        )}
      </section>
    </div>
  );
}
