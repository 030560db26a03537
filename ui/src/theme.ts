// Light or dark: the OS's choice (prefers-color-scheme) unless the user picked one with the
// header's toggle, remembered in localStorage (a preference, never a credential). The choice
// is applied as <html data-theme>, the one switch style.css and the editor's colours follow.

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'hookd.theme';
const dark = matchMedia('(prefers-color-scheme: dark)');

export function themeChoice(): ThemeChoice {
  try {
    const saved = localStorage.getItem(KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system'; // storage refused (private mode): follow the OS
  }
}

function apply(): void {
  const choice = themeChoice();
  document.documentElement.dataset.theme = choice === 'system' ? (dark.matches ? 'dark' : 'light') : choice;
}

export function chooseTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Not remembered; applied for this page all the same.
  }
  apply();
}

/** Applies the theme now and follows the OS while the choice is "system". */
export function startTheme(): void {
  apply();
  dark.addEventListener('change', apply);
}
