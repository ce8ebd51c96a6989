// Form pieces shared by the console's pages: fields that show their error next to them
// (aria-invalid and aria-describedby, WCAG 3.3.1), the CSRF field every form carries, notices,
// list filters and pagination.
import { html, raw, type SafeHtml } from '../html.ts';

/** What a form shows again after a refusal: the values typed, and each field's problem. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A problem that belongs to no one field. */
  summary?: string;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

export const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}">`;

const describedBy = (name: string, hint: string | undefined, error: string | undefined) => {
  const ids = [hint ? `f-${name}-hint` : '', error ? `f-${name}-error` : ''].filter(Boolean).join(' ');
  return ids ? raw(` aria-describedby="${ids}"`) : '';
};

const fieldError = (name: string, error: string | undefined) => (error ? html`<p class="field-error" id="f-${name}-error">${error}</p>` : '');

export interface FieldOptions {
  name: string;
  label: string;
  state: FormState;
  type?: 'text' | 'email' | 'number' | 'url' | 'password';
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  /** Shown instead of state.values[name] when the form is fresh. */
  placeholder?: string;
}

export function textField(o: FieldOptions): SafeHtml {
  const error = o.state.errors[o.name];
  return html`<label for="f-${o.name}">${o.label}${o.hint ? html`<span class="hint" id="f-${o.name}-hint">${o.hint}</span>` : ''}</label>
<input type="${o.type ?? 'text'}" id="f-${o.name}" name="${o.name}" value="${o.state.values[o.name] ?? ''}"${o.required ? raw(' required') : ''}${error ? raw(' aria-invalid="true"') : ''}${describedBy(o.name, o.hint, error)} autocomplete="${o.autocomplete ?? 'off'}"${o.placeholder ? html` placeholder="${o.placeholder}"` : ''}>
${fieldError(o.name, error)}`;
}

export function textArea(o: FieldOptions & { rows?: number; after?: SafeHtml }): SafeHtml {
  const error = o.state.errors[o.name];
  return html`<label for="f-${o.name}">${o.label}${o.hint ? html`<span class="hint" id="f-${o.name}-hint">${o.hint}</span>` : ''}</label>
<textarea id="f-${o.name}" name="${o.name}" rows="${o.rows ?? 6}" spellcheck="false"${error ? raw(' aria-invalid="true"') : ''}${describedBy(o.name, o.hint, error)}>${o.state.values[o.name] ?? ''}</textarea>
${o.after ?? ''}${fieldError(o.name, error)}`;
}

export function selectField(o: FieldOptions & { options: [value: string, label: string][] }): SafeHtml {
  const error = o.state.errors[o.name];
  const current = o.state.values[o.name] ?? '';
  return html`<label for="f-${o.name}">${o.label}${o.hint ? html`<span class="hint" id="f-${o.name}-hint">${o.hint}</span>` : ''}</label>
<select id="f-${o.name}" name="${o.name}"${error ? raw(' aria-invalid="true"') : ''}${describedBy(o.name, o.hint, error)}>${o.options.map(
    ([value, label]) => html`<option value="${value}"${value === current ? raw(' selected') : ''}>${label}</option>`,
  )}</select>
${fieldError(o.name, error)}`;
}

export function checkbox(o: { name: string; label: string; checked: boolean; value?: string }): SafeHtml {
  return html`<label class="check"><input type="checkbox" name="${o.name}" value="${o.value ?? 'on'}"${o.checked ? raw(' checked') : ''}> ${o.label}</label>`;
}

export const summaryError = (state: FormState) => (state.summary ? html`<div class="error" role="alert">${state.summary}</div>` : '');

export const noticeBox = (text: string | undefined) => (text ? html`<div class="notice" role="status">${text}</div>` : '');

/** A name filter over a list page; the list resets to its first page. */
export function filterForm(action: string, label: string, value: string, extra: SafeHtml | '' = ''): SafeHtml {
  return html`<form method="get" action="${action}" role="search"><div><label for="filter">${label}</label><input type="search" id="filter" name="name" value="${value}"></div>${extra}<button type="submit" class="secondary">Filter</button></form>`;
}

/** Next page and back to the first one, keeping the filter (lists are cursor-paged). */
export function pager(action: string, params: Record<string, string | undefined>, nextToken: string | undefined, onFirstPage: boolean): SafeHtml {
  const query = (extra: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, ...extra })) if (v) q.set(k, v);
    const s = q.toString();
    return s ? `${action}?${s}` : action;
  };
  if (!nextToken && onFirstPage) return html``;
  return html`<nav class="pager" aria-label="Pages">${onFirstPage ? '' : html`<a href="${query({})}">First page</a>`}${nextToken ? html`<a href="${query({ nextToken })}" rel="next">Next page</a>` : ''}</nav>`;
}

export const formatTime = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
