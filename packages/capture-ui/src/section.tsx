import type { ComponentChildren } from "preact";

/** A titled part of the event page. */
export function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="section" id={`section-${id}`}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
