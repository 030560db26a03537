// `*_originallanguage`: the scripts get IsoLanguages.Get(language).ThreeLetterCode, the webhooks
// send the Language as { id, name }. Each app has its own table (Parser/IsoLanguages.cs and
// Languages/Language.cs): the same name can map differently (Sonarr knows Flemish and gives
// Portuguese (Brazil) "por"; Radarr has no Flemish entry and gives it ""). Pure data.

const COMMON: Record<string, string> = {
  English: 'eng', French: 'fra', Spanish: 'spa', German: 'deu', Italian: 'ita', Danish: 'dan', Dutch: 'nld',
  Japanese: 'jpn', Icelandic: 'isl', Chinese: 'zho', Russian: 'rus', Polish: 'pol', Vietnamese: 'vie',
  Swedish: 'swe', Norwegian: 'nor', Finnish: 'fin', Turkish: 'tur', Portuguese: 'por', Greek: 'ell',
  Korean: 'kor', Hungarian: 'hun', Hebrew: 'heb', Lithuanian: 'lit', Czech: 'ces', Hindi: 'hin', Thai: 'tha',
  Bulgarian: 'bul', Romanian: 'ron', Arabic: 'ara', Ukrainian: 'ukr', Persian: 'fas', Slovak: 'slk',
  Latvian: 'lav', 'Spanish (Latino)': 'spa', Catalan: 'cat', Croatian: 'hrv', Serbian: 'srp', Bosnian: 'bos',
  Estonian: 'est', Tamil: 'tam', Indonesian: 'ind', Macedonian: 'mkd', Slovenian: 'slv', Malayalam: 'mal',
};

/** Radarr: Language name -> ISO 639-2 code (absent: no IsoLanguage entry, the script gets ""). */
export const RADARR_LANGUAGES: Readonly<Record<string, string>> = Object.freeze({
  ...COMMON,
  'Portuguese (Brazil)': '', // listed with an empty three-letter code
  Bengali: 'ben', Telugu: 'tel', Kannada: 'kan', Albanian: 'sqi', Afrikaans: 'afr', Marathi: 'mar',
  Tagalog: 'tgl', Urdu: 'urd', Romansh: 'roh', Mongolian: 'mon', Georgian: 'kat',
});

/** Sonarr (v4): Language name -> ISO 639-2 code. */
export const SONARR_LANGUAGES: Readonly<Record<string, string>> = Object.freeze({
  ...COMMON,
  Flemish: 'nld',
  'Portuguese (Brazil)': 'por',
});

/** The three-letter code of a webhook Language ({ id, name }) in an app's table; "" when unknown. */
export function threeLetterCode(table: Readonly<Record<string, string>>, language: unknown): string {
  const name = typeof language === 'object' && language !== null ? (language as { name?: unknown }).name : undefined;
  return typeof name === 'string' && Object.hasOwn(table, name) ? (table[name] as string) : '';
}
