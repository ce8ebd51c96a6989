// Checks on free text from administrators and directories.

/** True when the string has a C0 control character or DEL (never wanted in names and labels). */
export function hasControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export const NO_CONTROL_CHARACTERS = 'must not contain control characters';
