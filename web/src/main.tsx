import '@fontsource/noto-sans-sc/400.css';
import './app.css';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

createRoot(document.getElementById('root')!).render(<App />);
