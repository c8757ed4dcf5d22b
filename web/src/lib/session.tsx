// Who is logged in at this door, and the AppCodes the buyer has been shown in this page's
// lifetime (an AppCode is only ever shown once by the server; the page keeps it in memory so the
// sample code and the debug tool can use it, and forgets it on reload). AppSecrets are never
// kept: they show once, in the dialog of the creation or reset, and are gone when it closes.
import { createContext, useContext, useState, type ReactNode } from 'react';

export interface Account {
  id: number;
  email: string;
  name: string | null;
  role: 'buyer' | 'operator';
  buyerId: number | null;
}

export interface Revealed {
  appCode?: string;
}

interface SessionState {
  account: Account | null;
  setAccount: (a: Account | null) => void;
  revealed: Record<number, Revealed>;
  reveal: (appId: number, r: Revealed) => void;
}

const SessionContext = createContext<SessionState>({ account: null, setAccount: () => {}, revealed: {}, reveal: () => {} });

export function SessionProvider({ initial, children }: { initial: Account | null; children: ReactNode }) {
  const [account, setAccount] = useState(initial);
  const [revealed, setRevealed] = useState<Record<number, Revealed>>({});
  const reveal = (appId: number, r: Revealed) => setRevealed((old) => ({ ...old, [appId]: { ...old[appId], ...r } }));
  return <SessionContext.Provider value={{ account, setAccount, revealed, reveal }}>{children}</SessionContext.Provider>;
}

export function useSession() {
  return useContext(SessionContext);
}
