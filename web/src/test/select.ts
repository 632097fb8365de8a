import { waitFor, within } from '@testing-library/react';
import type userEvent from '@testing-library/user-event';

/** Opens an antd select and clicks the option with this title in its popup (the last one opened). */
export async function pickOption(typist: ReturnType<typeof userEvent.setup>, combobox: HTMLElement, title: string) {
  await typist.click(combobox);
  const popup = await waitFor(() => {
    const open = [...document.querySelectorAll<HTMLElement>('.ant-select-dropdown')].filter(
      (el) => !el.classList.contains('ant-select-dropdown-hidden'),
    );
    const last = open.at(-1);
    if (!last) throw new Error('no open select popup');
    return last;
  });
  await typist.click(await within(popup).findByTitle(title));
}
