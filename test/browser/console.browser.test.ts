// The admin console (/admin) in Debian's chromium, as an administrator uses it: a permission set
// with an inline policy (a malformed one refused at the field, with and without script), a group
// assigned to two accounts with it, an application made from an uploaded SP metadata file and
// assigned, a user's password reset, and the audit log showing all of it. Every console page is
// checked with axe-core (no serious or critical violation) and, with GATEHOUSE_TEST_SCREENSHOTS
// set, photographed at 1280x800 and 390x844 under test-artifacts/console/.
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeViolations, seriousViolations } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { keepScreenshot } from '../support/screenshots.ts';
import { totpCodeAt } from '../support/mfa.ts';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { spMetadataXml } from '../idp/inbound-fixtures.ts';
import { consoleRouter } from '../../server/console/router.ts';

/** Path patterns of every GET route of the console router (mounted paths joined), to check the page list against. */
function consolePagePatterns(stack: any[], prefix = '/admin'): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route?.methods?.get) out.push(`${prefix}${layer.route.path === '/' ? '' : layer.route.path}`);
    else if (layer.handle?.stack && typeof layer.rawPath === 'string') out.push(...consolePagePatterns(layer.handle.stack, `${prefix}${layer.rawPath === '/' ? '' : layer.rawPath}`));
  }
  return out;
}

const ARTIFACTS = path.resolve('test-artifacts/console');
const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const GOOD_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ReadBuckets', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }] }, null, 2);
const BAD_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Alow","Action":"s3:GetObject"}]}';

describe('admin console in a browser', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let chromium: { browser: Browser; close(): Promise<void> };
  let admin: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];

  async function signIn(context: BrowserContext, userName: string, password: string, start = '/admin'): Promise<Page> {
    const p = await context.newPage();
    p.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) cspViolations.push(m.text());
    });
    await p.goto(`${gh.baseUrl}${start}`);
    await p.fill('#userName', userName);
    await p.fill('#password', password);
    await p.click('button[type=submit]');
    await p.waitForLoadState('load');
    return p;
  }

  const button = (p: Page, name: string) => p.getByRole('button', { name, exact: true });

  before(async () => {
    [gh, chromium] = await Promise.all([startGatehouse(), launchChromium()]);
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com', displayName: 'Alice Liddell' }, { userName: 'bob', email: 'bob@example.com' }],
      groups: [{ name: 'Engineers', members: ['alice'] }],
      accounts: [
        { accountId: '111122223333', name: 'Production' },
        { accountId: '444455556666', name: 'Development' },
        { accountId: '777788889999', name: 'Sandbox' },
      ],
    });
    admin = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await signIn(admin, 'admin', ADMIN_PASSWORD);
  });
  after(async () => {
    await chromium?.close();
    await gh?.close();
  });

  it('brings an administrator from the sign-in back to the console, linked from the portal', async () => {
    expect(new URL(page.url()).pathname).to.equal('/admin');
    expect(await page.textContent('h1')).to.equal('Dashboard');
    await page.goto(`${gh.baseUrl}/start`);
    await page.click('a:has-text("Admin console")');
    expect(new URL(page.url()).pathname).to.equal('/admin');
  });

  it('shows a signed-in person who is no administrator 403 and nothing of the console, and no console link', async () => {
    const context = await chromium.browser.newContext();
    const bob = await signIn(context, 'bob', org.users.bob!.password, '/start');
    expect(await bob.locator('a:has-text("Admin console")').count()).to.equal(0);
    for (const p of ['/admin', '/admin/users', `/admin/users/${org.users.alice!.id}`, '/admin/audit']) {
      const res = await bob.goto(`${gh.baseUrl}${p}`);
      expect(res!.status(), p).to.equal(403);
      expect(await bob.content(), p).not.to.include('alice');
    }
    // A form posted with bob's own session and CSRF token changes nothing either.
    const csrf = await bob.goto(`${gh.baseUrl}/start`).then(() => bob.inputValue('input[name=csrf]'));
    const res = await context.request.post(`${gh.baseUrl}/admin/users/${org.users.alice!.id}/disable`, { form: { csrf } });
    expect(res.status()).to.equal(403);
    expect((await gh.services.users.get(org.users.alice!.id)).enabled).to.equal(true);
    await context.close();
  });

  it('refuses a console form without the session\'s CSRF token, changing nothing', async () => {
    const res = await admin.request.post(`${gh.baseUrl}/admin/users/${org.users.alice!.id}/disable`, { form: { csrf: 'forged' } });
    expect(res.status()).to.equal(403);
    expect((await gh.services.users.get(org.users.alice!.id)).enabled).to.equal(true);
  });

  it('refuses a malformed inline policy at the field as you type and when sent without script, then creates the permission set', async () => {
    // Without script: the server checks the policy and shows the problems under the field.
    const noScript = await chromium.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const plain = await signIn(noScript, 'admin', ADMIN_PASSWORD, '/admin/permission-sets/new');
    await plain.fill('#f-name', 'S3Reader');
    await plain.fill('#f-inlinePolicy', BAD_POLICY);
    await button(plain, 'Create permission set').click();
    await plain.waitForLoadState('load');
    expect(await plain.getAttribute('#f-inlinePolicy', 'aria-invalid')).to.equal('true');
    const refusal = await plain.textContent('#f-inlinePolicy-error');
    expect(refusal).to.include('Statement[0].Effect must be "Allow" or "Deny"');
    expect(refusal).to.include('Statement[0] needs Resource or NotResource');
    expect(await plain.inputValue('#f-name'), 'what was typed stays').to.equal('S3Reader');
    expect((await gh.services.permissionSets.list({ nameContains: 'S3Reader' })).items).to.deep.equal([]);
    await keepScreenshot(plain, path.join(ARTIFACTS, 'permission-set-refused-no-script.png'), { fullPage: true });
    await noScript.close();

    // With script: the editor says so while typing, and counts the bytes against the limit.
    await page.goto(`${gh.baseUrl}/admin/permission-sets/new`);
    await page.fill('#f-name', 'S3Reader');
    await page.fill('#f-description', 'Reads S3');
    await page.fill('#f-sessionDuration', 'PT4H');
    await page.fill('#f-inlinePolicy', BAD_POLICY);
    await page.waitForFunction(() => document.getElementById('policy-check')?.textContent?.includes('Effect'));
    expect(await page.textContent('#policy-meter')).to.equal(`${BAD_POLICY.length} of 32768 bytes`);
    expect(await page.getAttribute('#f-inlinePolicy', 'aria-invalid')).to.equal('true');
    await keepScreenshot(page, path.join(ARTIFACTS, 'permission-set-editor-refusing.png'), { fullPage: true });
    await page.fill('#f-inlinePolicy', GOOD_POLICY);
    await page.waitForFunction(() => document.getElementById('policy-check')?.textContent?.startsWith('Valid IAM policy'));
    expect(await page.textContent('#policy-check')).to.equal('Valid IAM policy: 1 statement.');
    await button(page, 'Create permission set').click();
    await page.waitForURL(/\/admin\/permission-sets\/ps-.*done=created/);
    expect(await page.textContent('.notice')).to.equal('Created.');

    const [set] = (await gh.services.permissionSets.list({ nameContains: 'S3Reader' })).items;
    expect(set).to.deep.include({ name: 'S3Reader', description: 'Reads S3', sessionDuration: 'PT4H' });
    expect(JSON.parse(set!.inlinePolicy!)).to.deep.equal(JSON.parse(GOOD_POLICY));
  });

  it('assigns a group to two accounts with the permission set, through the assign-access steps', async () => {
    await page.goto(`${gh.baseUrl}/admin/assign`);
    await button(page, 'Next').click();
    expect(await page.textContent('#pick-error'), 'nothing chosen').to.include('Choose at least one account');
    await page.check('label:has-text("Production") input');
    await page.check('label:has-text("Development") input');
    await button(page, 'Next').click();
    await page.check('label:has-text("Group Engineers") input');
    await button(page, 'Next').click();
    await page.check('label:has-text("S3Reader") input');
    await button(page, 'Next').click();
    expect(await page.textContent('main h2')).to.equal('2 assignments will be made');
    await keepScreenshot(page, path.join(ARTIFACTS, 'assign-review.png'), { fullPage: true });
    await button(page, 'Submit').click();
    await page.waitForSelector('.notice');
    expect(await page.textContent('.notice')).to.include('2 assignments made');

    const setId = (await gh.services.permissionSets.list({ nameContains: 'S3Reader' })).items[0]!.id;
    const made = await gh.services.assignments.list({ permissionSetId: setId }, {});
    expect(made.items.map((a) => [a.accountId, a.principalType, a.principalId]).sort()).to.deep.equal([
      ['111122223333', 'GROUP', org.groups.Engineers],
      ['444455556666', 'GROUP', org.groups.Engineers],
    ]);
    // Alice, in the group, now reaches both accounts.
    const alice = await gh.services.users.get(org.users.alice!.id);
    const reach = await gh.services.entitlements.forUser(alice, await gh.services.identitySourceFor('builtin').groupsOf(alice));
    expect(reach.map((r) => r.account.name).sort()).to.deep.equal(['Development', 'Production']);
  });

  it('adds an application from an uploaded SP metadata file, with the NameID format it declares, and assigns it', async () => {
    const xml = spMetadataXml({ entityId: 'https://wiki.example.com/saml/metadata', acs: [{ url: 'https://wiki.example.com/saml/acs', index: 0, isDefault: true }] });
    await page.goto(`${gh.baseUrl}/admin/applications/new`);
    await page.fill('#f-name', 'Team Wiki');
    await page.setInputFiles('#f-metadataFile', { name: 'wiki-metadata.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
    await page.waitForFunction(() => (document.getElementById('f-metadataXml') as HTMLTextAreaElement).value.includes('EntityDescriptor'));
    expect(await page.textContent('#file-status')).to.include('wiki-metadata.xml');
    await button(page, 'Add application').click();
    await page.waitForURL(/\/admin\/applications\/app-.*done=created/);
    expect(await page.inputValue('#f-nameIdFormat')).to.equal(NAMEID_EMAIL);
    expect(await page.inputValue('#f-nameIdSource')).to.equal('email');

    await page.selectOption('#f-principal', { label: 'Group Engineers' });
    await button(page, 'Assign').click();
    await page.waitForURL(/done=assigned/);
    expect(await page.textContent('#assignments table')).to.include('Group Engineers');

    // The preview says what alice would receive: her address as the NameID.
    await page.selectOption('#f-previewUser', { label: 'alice' });
    await button(page, 'Preview').click();
    await page.waitForSelector('#preview-result');
    expect(await page.textContent('#preview-result')).to.include('alice@example.com');
    await keepScreenshot(page, path.join(ARTIFACTS, 'application-assigned.png'), { fullPage: true });

    const [app] = (await gh.services.applications.list({ nameContains: 'Team Wiki' })).items;
    expect(app).to.deep.include({ entityId: 'https://wiki.example.com/saml/metadata', nameIdFormat: NAMEID_EMAIL });
    const assigned = await gh.services.applications.listAssignments(app!.id, {});
    expect(assigned.items.map((a) => [a.principalType, a.principalId])).to.deep.equal([['GROUP', org.groups.Engineers]]);
  });

  it('resets a user\'s password, shows the new one once, and it signs the user in', async () => {
    await page.goto(`${gh.baseUrl}/admin/users?name=ali`);
    await page.click('a:has-text("alice")');
    await page.click('summary:has-text("Reset password")');
    await button(page, 'Reset the password of alice').click();
    await page.waitForSelector('#new-password');
    const password = (await page.textContent('#new-password pre'))!.trim();
    expect(password).to.have.length.greaterThan(16);
    await keepScreenshot(page, path.join(ARTIFACTS, 'password-reset.png'), { fullPage: true });

    const context = await chromium.browser.newContext();
    const old = await signIn(context, 'alice', org.users.alice!.password, '/start');
    expect(await old.textContent('.error'), 'the old password no longer works').to.include('Sign-in failed');
    const fresh = await signIn(context, 'alice', password, '/start');
    await fresh.waitForSelector('details.account');
    expect(await fresh.locator('details.account').count()).to.equal(2);
    await context.close();

    // The page that showed it is not shown again by a reload of the user's page.
    await page.goto(page.url());
    expect(await page.locator('#new-password').count()).to.equal(0);
  });

  it('shows the audit entries of all of it, filtered by actor and action', async () => {
    await page.goto(`${gh.baseUrl}/admin/audit?actor=admin`);
    const rows = await page.locator('#audit tbody tr').allTextContents();
    const actions = rows.map((r) => r);
    for (const action of ['permission-set.create', 'assignment.create', 'application.create', 'application.assign', 'user.update']) {
      expect(actions.some((r) => r.includes(action)), action).to.equal(true);
    }
    expect(rows.every((r) => r.includes('admin')), 'every entry names the administrator').to.equal(true);
    expect(rows.filter((r) => r.includes('assignment.create'))).to.have.length(2);
    expect(rows.find((r) => r.includes('user.update'))).to.include('passwordChanged: true');
    expect(rows.join('\n'), 'the new password is never recorded').not.to.match(/(^|\s)password:/);

    await page.fill('#f-action', 'application.assign');
    await button(page, 'Filter').click();
    await page.waitForURL(/action=application.assign/);
    const filtered = await page.locator('#audit tbody tr').allTextContents();
    expect(filtered).to.have.length(1);
    expect(filtered[0]).to.include(org.groups.Engineers);
    await keepScreenshot(page, path.join(ARTIFACTS, 'audit-filtered.png'), { fullPage: true });
  });

  it('says what else goes before a delete, and deletes only when confirmed', async () => {
    const setId = (await gh.services.permissionSets.list({ nameContains: 'S3Reader' })).items[0]!.id;
    await page.goto(`${gh.baseUrl}/admin/permission-sets/${setId}`);
    await page.click('a:has-text("Delete this permission set")');
    expect(await page.textContent('#cascades')).to.include('2 account assignments');
    await page.click('a:has-text("Cancel")');
    expect((await gh.services.permissionSets.get(setId)).name).to.equal('S3Reader');
  });

  it('has no serious or critical accessibility violation on any console page, at desktop and phone sizes', async () => {
    const setId = (await gh.services.permissionSets.list({ nameContains: 'S3Reader' })).items[0]!.id;
    const appId = (await gh.services.applications.list({ nameContains: 'Team Wiki' })).items[0]!.id;
    const oidcApp = await gh.services.applications.create({ kind: 'oidc', name: 'Team Chat', redirectUris: ['https://chat.example/callback'], backchannelLogoutUri: 'https://chat.example/oidc/backchannel-logout' }, 'test');
    await gh.services.applications.assign(oidcApp.id, { principalType: 'GROUP', principalId: org.groups.Engineers }, 'test');
    // alice has an authenticator app, so her MFA page shows the device table.
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await gh.services.mfa.confirmTotp(await gh.services.users.get(org.users.alice!.id), { secret, code: totpCodeAt(secret, gh.clock.now()), name: 'Work phone' }, '127.0.0.1');
    const pages: [string, string][] = [
      ['dashboard', '/admin'],
      ['accounts', '/admin/accounts'],
      ['account', '/admin/accounts/111122223333'],
      ['account-delete', '/admin/accounts/111122223333/delete'],
      ['assign-accounts', '/admin/assign'],
      ['assign-principals', '/admin/assign/principals?accountId=111122223333'],
      ['assign-permission-sets', `/admin/assign/permission-sets?accountId=111122223333&principal=GROUP:${org.groups.Engineers}`],
      ['assign-review', `/admin/assign/review?accountId=111122223333&principal=GROUP:${org.groups.Engineers}&permissionSetId=${setId}`],
      ['permission-sets', '/admin/permission-sets'],
      ['permission-set-new', '/admin/permission-sets/new'],
      ['permission-set', `/admin/permission-sets/${setId}`],
      ['permission-set-delete', `/admin/permission-sets/${setId}/delete`],
      ['users', '/admin/users'],
      ['user', `/admin/users/${org.users.alice!.id}`],
      ['user-delete', `/admin/users/${org.users.bob!.id}/delete`],
      ['user-mfa', `/admin/users/${org.users.alice!.id}/mfa`],
      ['groups', '/admin/groups'],
      ['group', `/admin/groups/${org.groups.Engineers}`],
      ['group-delete', `/admin/groups/${org.groups.Engineers}/delete`],
      ['applications', '/admin/applications'],
      ['application-new', '/admin/applications/new'],
      ['application', `/admin/applications/${appId}?previewUser=${org.users.alice!.id}`],
      ['application-delete', `/admin/applications/${appId}/delete`],
      ['application-oidc-new', '/admin/applications/new-oidc'],
      ['application-oidc', `/admin/applications/${oidcApp.id}`],
      ['identity-source', '/admin/identity-source'],
      ['settings', '/admin/settings'],
      ['audit', '/admin/audit'],
      ['api-token', '/admin/api-token'],
    ];
    // Every page of the console's route table is in the list: a page added later is checked too.
    const router = consoleRouter({ ...gh.services, secureCookies: false, people: gh.services.signedInPeople }) as unknown as { stack: any[] };
    for (const pattern of consolePagePatterns(router.stack)) {
      const matcher = new RegExp(`^${pattern.replace(/:\w+/g, '[^/?]+')}(\\?.*)?$`);
      expect(pages.some(([, url]) => matcher.test(url)), `console page ${pattern} is checked by axe`).to.equal(true);
    }
    const found: string[] = [];
    for (const [viewport, size] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(size);
      for (const [name, url] of pages) {
        const res = await page.goto(`${gh.baseUrl}${url}`);
        expect(res!.status(), url).to.equal(200);
        const violations = await seriousViolations(page);
        if (violations.length) found.push(`${url} (${viewport}):\n${describeViolations(violations)}`);
        await keepScreenshot(page, path.join(ARTIFACTS, `${viewport}-${name}.png`));
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(found, found.join('\n\n')).to.deep.equal([]);
    expect(cspViolations, 'no CSP violation on any console page').to.deep.equal([]);
  });

  it('renders the API documentation from this server alone, under its own CSP', async () => {
    const docs = await admin.newPage();
    const requested: string[] = [];
    const refused: string[] = [];
    docs.on('request', (r) => requested.push(r.url()));
    docs.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text());
    });
    const res = await docs.goto(`${gh.baseUrl}/api/v1/docs`);
    expect(res!.headers()['content-security-policy']).to.include("script-src 'self'");
    await docs.waitForSelector('.opblock-tag');
    expect(await docs.textContent('.title')).to.include('Gatehouse admin API');
    expect(await docs.locator('.opblock-summary-path', { hasText: '/permission-sets' }).count()).to.be.greaterThan(0);
    expect(requested.filter((u) => !u.startsWith(gh.baseUrl)), 'nothing from another origin').to.deep.equal([]);
    expect(refused).to.deep.equal([]);
    const violations = await seriousViolations(docs);
    await keepScreenshot(docs, path.join(ARTIFACTS, 'api-docs.png'));
    expect(violations.map((v) => v.id), describeViolations(violations)).to.deep.equal([]);
  });
});
