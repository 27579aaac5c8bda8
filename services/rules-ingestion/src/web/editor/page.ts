/// <reference lib="dom" />
/** The page's small helpers: an element by id, the status line, and a button whose failure is said there. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const say = (text: string, error = false) => {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
};

export function button(label: string, onClick: () => Promise<void>, describedBy?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (describedBy) b.setAttribute('aria-label', describedBy);
  b.addEventListener('click', () => void onClick().catch((e: Error) => say(e.message, true)));
  return b;
}
