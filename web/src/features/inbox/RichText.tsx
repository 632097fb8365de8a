import { Fragment } from 'react';
import { safeHttpUrl } from '../../api/open';
import { splitMentions } from './mentions';
import styles from './Inbox.module.css';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'，。！？、；：（）【】]+/giu;
const TRAILING = /[.,;:!?)\]}]+$/u;

/** Splits text into plain runs and http(s) URLs. */
export function splitLinks(text: string): Array<{ text: string; href: string | null }> {
  const parts: Array<{ text: string; href: string | null }> = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    let url = match[0];
    const trailing = TRAILING.exec(url)?.[0] ?? '';
    url = url.slice(0, url.length - trailing.length);
    const href = safeHttpUrl(url);
    if (!href) continue;
    if (start > last) parts.push({ text: text.slice(last, start), href: null });
    parts.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), href: null });
  return parts;
}

/**
 * Untrusted chat text: React text nodes only; http(s) URLs become links that open elsewhere, and
 * `@name` of one of `mentions` (names and e-mails of the account's users) is highlighted.
 */
export function RichText({ text, mentions = [] }: { text: string; mentions?: readonly string[] }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.href ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : mentions.length > 0 ? (
          <Fragment key={i}>
            {splitMentions(part.text, mentions).map((run, j) =>
              run.mention ? (
                <span key={j} className={styles.mention} data-testid="mention">
                  {run.text}
                </span>
              ) : (
                <Fragment key={j}>{run.text}</Fragment>
              ),
            )}
          </Fragment>
        ) : (
          <Fragment key={i}>{part.text}</Fragment>
        ),
      )}
    </>
  );
}
