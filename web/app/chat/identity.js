// The anonymous chat identity: a random id kept in localStorage, so that an anonymous viewer keeps
// the same generated nick and colour across reloads (the server derives both from it).
const ANON_ID_KEY = 'livecast.chat.anonId';
const VALID = /^[A-Za-z0-9_-]{16,64}$/;

export function anonId() {
  let id = null;
  try {
    id = localStorage.getItem(ANON_ID_KEY);
  } catch { /* storage disabled: the nick lasts for this page */ }
  if (id && VALID.test(id)) return id;
  id = randomId();
  try {
    localStorage.setItem(ANON_ID_KEY, id);
  } catch { /* as above */ }
  return id;
}

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  // base64url of 18 bytes: 24 characters of [A-Za-z0-9_-].
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_');
}
