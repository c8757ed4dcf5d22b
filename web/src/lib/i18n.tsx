// Chinese first, English second. Texts are written in Chinese in the pages; the English
// dictionary maps them, and a text missing from it shows in Chinese rather than as a key.
import { createContext, useContext, useState, type ReactNode } from 'react';
import { EN } from './i18n-en.ts';

export type Lang = 'zh' | 'en';

const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({ lang: 'zh', setLang: () => {} });

function initialLang(): Lang {
  try {
    return localStorage.getItem('shiming.lang') === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = (l: Lang) => {
    setLangState(l);
    document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
    try {
      localStorage.setItem('shiming.lang', l);
    } catch {
      /* private mode: the choice lasts for this page */
    }
  };
  return <LangContext.Provider value={{ lang, setLang }}>{children}</LangContext.Provider>;
}

export function useLang() {
  return useContext(LangContext);
}

/** `t('概览')`, or with values `t('共 {n} 条', { n: 3 })`. */
export function useT() {
  const { lang } = useLang();
  return (text: string, values?: Record<string, string | number>) => {
    let out = lang === 'en' ? (EN[text] ?? text) : text;
    if (values) for (const [k, v] of Object.entries(values)) out = out.replaceAll(`{${k}}`, String(v));
    return out;
  };
}

export type T = ReturnType<typeof useT>;
