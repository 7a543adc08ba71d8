import { useEffect, useState } from 'react';
import { api } from '../../api/api.ts';

/** The name of the Docker engine the app uses (app.info), asked once per page shown; null until known. */
export function useEngineName(): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api()
      .call('app.info', {})
      .then(
        (info) => live && setName(info.engine.name),
        () => undefined, // Only a word in the header: the volumes list shows what is wrong with the engine.
      );
    return () => {
      live = false;
    };
  }, []);
  return name;
}
