// Search filters built as ldapts filter objects, never by pasting text into a filter string: a value
// travels as its own BER octet string, so `*`, `(`, `)`, `\` and NUL in what a person typed are
// matched literally and can never change the filter's structure (RFC 4511 §4.5.1.7, the wire form
// that RFC 4515's escaping stands in for). Only filters an administrator configured are parsed from
// text, and those were validated when the settings were saved.

import {
  AndFilter,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  FilterParser,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
} from 'ldapts';

/** LDAP_MATCHING_RULE_IN_CHAIN: AD walks nested membership server-side ([MS-ADTS] 3.1.1.3.4.4.4). */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';

export function configured(filterText: string): Filter {
  return FilterParser.parseString(filterText);
}

/** `(attribute=value)` with the value matched literally (binary values as they are). */
export function equals(attribute: string, value: string | Buffer): Filter {
  return new EqualityFilter({ attribute, value });
}

/** `(attribute=*text*)` with `text` matched literally; `(attribute=*)` when text is empty. */
export function contains(attribute: string, text: string): Filter {
  if (text === '') return new PresenceFilter({ attribute });
  return new SubstringFilter({ attribute, any: [text] });
}

export function and(...filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0]! : new AndFilter({ filters });
}

export function or(...filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0]! : new OrFilter({ filters });
}

/** `(attribute:1.2.840.113556.1.4.1941:=dn)`: entries whose attribute reaches `dn` through any chain. */
export function inChain(attribute: string, dn: string): Filter {
  return new ExtensibleFilter({ matchType: attribute, rule: IN_CHAIN_RULE, value: dn });
}
