// The template language of attribute mappings, checked when an administrator saves them: text is
// literal, and `${user:<field>}` is replaced at sign-in by a field of the person's directory record.
// Fields: email, userName, displayName, givenName, familyName, groups (one value per group), and
// attribute.<name> (a directory attribute; names as the directory allows them). Anything else that
// starts with `${` is refused here (there is no escape: a value cannot hold a literal "${"), so a
// typo is found when the app is set up rather than by a person who signs in and misses an attribute.

export const TEMPLATE_FIELDS = ['email', 'userName', 'displayName', 'givenName', 'familyName', 'groups'] as const;
/** Attribute names as directory/users.ts accepts them. */
const ATTRIBUTE_NAME = /^[A-Za-z][\w.:-]{0,127}$/;

export type TemplatePart = { literal: string } | { field: string };

/** The parts of a template, or the reason it is refused (for the field's error message). */
export function parseTemplate(template: string): TemplatePart[] | { error: string } {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    if (!template.startsWith('${', i)) {
      literal += template[i];
      i += 1;
      continue;
    }
    const end = template.indexOf('}', i + 2);
    if (end < 0) return { error: `has an unclosed placeholder at character ${i + 1}` };
    const inner = template.slice(i + 2, end);
    const field = inner.startsWith('user:') ? inner.slice('user:'.length) : null;
    if (field === null || !isKnownField(field)) {
      return { error: `uses the unknown placeholder \${${inner}}; known: ${TEMPLATE_FIELDS.map((f) => `\${user:${f}}`).join(', ')}, \${user:attribute.<name>}` };
    }
    if (literal !== '') parts.push({ literal });
    literal = '';
    parts.push({ field });
    i = end + 1;
  }
  if (literal !== '') parts.push({ literal });
  return parts;
}

function isKnownField(field: string): boolean {
  if ((TEMPLATE_FIELDS as readonly string[]).includes(field)) return true;
  return field.startsWith('attribute.') && ATTRIBUTE_NAME.test(field.slice('attribute.'.length));
}
