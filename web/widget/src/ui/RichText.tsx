import { linkify } from '../linkify';

/** Untrusted text as text nodes; http(s) URLs become safe links. Never innerHTML. */
export function RichText({ text }: { text: string }) {
  const segments = linkify(text);
  return (
    <>
      {segments.map((s, i) =>
        s.kind === 'link' ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer">
            {s.text}
          </a>
        ) : (
          s.text
        ),
      )}
    </>
  );
}
