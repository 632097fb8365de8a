import { useState } from 'preact/hooks';
import type { CsatState } from '../controller';
import { useUi } from './context';
import { StarIcon } from './icons';

export function Csat({ status }: { status: CsatState }) {
  const { t, controller } = useUi();
  const [score, setScore] = useState(0);
  const [hover, setHover] = useState(0);
  const [comment, setComment] = useState('');
  const [failed, setFailed] = useState(false);

  if (status === 'none') return null;
  if (status === 'done') {
    return (
      <div class="yk-csat yk-csat-done" role="status">
        {t('csat_thanks')}
      </div>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    if (score < 1) return;
    setFailed(false);
    const ok = await controller.submitCsat(score, comment);
    if (!ok) setFailed(true);
  };

  const shown = hover || score;
  return (
    <form class="yk-csat" onSubmit={submit}>
      <p class="yk-csat-title">{t('csat_title')}</p>
      <div class="yk-stars" role="radiogroup" aria-label={t('csat_title')} onMouseLeave={() => setHover(0)}>
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            role="radio"
            aria-checked={score === n}
            aria-label={t('csat_star', { score: n })}
            class={`yk-star ${n <= shown ? 'yk-star-on' : ''}`}
            onMouseEnter={() => setHover(n)}
            onClick={() => setScore(n)}
          >
            <StarIcon filled={n <= shown} />
          </button>
        ))}
      </div>
      {score > 0 && (
        <>
          <textarea
            class="yk-field-input yk-field-textarea"
            rows={2}
            maxLength={2000}
            placeholder={t('csat_comment')}
            aria-label={t('csat_comment')}
            value={comment}
            onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <button type="submit" class="yk-primary-btn" disabled={status === 'sending'}>
            {status === 'sending' ? t('loading') : t('csat_submit')}
          </button>
        </>
      )}
      {failed && (
        <div class="yk-field-msg" role="alert">
          {t('csat_failed')}
        </div>
      )}
    </form>
  );
}
