"use client";

import { useEffect, useState } from "react";

const FORMAT: Intl.DateTimeFormatOptions = {
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
};

/** A moment in the reader's own time zone (the server renders it in UTC, marked so, until the browser takes over). */
export function LocalTime({ iso }: { iso: string }) {
  const [text, setText] = useState(
    () => `${new Date(iso).toLocaleString("en-GB", { ...FORMAT, timeZone: "UTC" })} UTC`,
  );
  useEffect(() => setText(new Date(iso).toLocaleString("en-GB", FORMAT)), [iso]);
  return (
    <time dateTime={iso} suppressHydrationWarning>
      {text}
    </time>
  );
}
