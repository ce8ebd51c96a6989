// The portal lists' instant search: as the person types, rows whose data-search text does not
// contain the query are hidden, a "no match" line shows when none is left, and the count says how
// many are shown (announced through the count element's own live region).
export function instantSearchScript(o: { box: string; rows: string; none: string; count: string; noun: [singular: string, plural: string] }): string {
  const text = (s: string) => JSON.stringify(s);
  return `
const box = document.getElementById(${text(o.box)});
const rows = Array.from(document.querySelectorAll(${text(o.rows)}));
const none = document.getElementById(${text(o.none)});
const count = document.getElementById(${text(o.count)});
const plural = (n) => n + (n === 1 ? ${text(' ' + o.noun[0])} : ${text(' ' + o.noun[1])});
if (box) box.addEventListener('input', () => {
  const q = box.value.trim().toLowerCase();
  let shown = 0;
  for (const row of rows) {
    const hit = !q || row.dataset.search.includes(q);
    row.hidden = !hit;
    if (hit) shown++;
  }
  if (none) none.hidden = shown !== 0;
  if (count) count.textContent = q ? 'Showing ' + shown + ' of ' + plural(rows.length) : plural(rows.length);
});
`;
}
