import { expect, test } from "@playwright/test";

// The bundled Docker workshop as a course: its own page, with the labs in the workshop's order and its notes.

test("the Docker workshop's course page lists its labs in the workshop's order, with where to start and its notes", async ({
  page,
}) => {
  await page.goto("/");
  await page.getByRole("link", { name: "Docker workshop", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Docker workshop" })).toBeVisible();
  const labs = page.getByRole("region", { name: "Labs in order" }).getByRole("heading", { level: 3 });
  await expect(labs).toHaveText([
    "1.Run Redis and Nginx as containers",
    "2.Build a web application image",
    "3.Container networks",
    "4.A Node app and Redis",
    "5.Docker Compose",
    "6.Container security",
    "7.Docker Swarm across two hosts",
  ]);
  await expect(page.getByRole("link", { name: "Start with Run Redis and Nginx as containers" })).toHaveAttribute(
    "href",
    "/scenarios/docker-run-containers",
  );
  const about = page.getByRole("region", { name: "About this course" });
  await expect(about.getByRole("heading", { name: "Not bundled yet, and why" })).toBeVisible();
  await expect(about).toContainText("Kubernetes");
  await page.screenshot({ path: ".dockyard/test-results/course-page.png", fullPage: true });

  // The labs' text carries the workshop's notes: tags, image layers, one process per container.
  await page.getByRole("link", { name: /Container networks/ }).click();
  await expect(page.getByText("One process, one container.")).toBeVisible();

  // A course that does not exist is a plain 404.
  const missing = await page.goto("/courses/no-such-course");
  expect(missing?.status()).toBe(404);
});
