// A person in a real browser: sign in, search, expand an account, click a role, and land at the
// (stand-in) AWS sign-in endpoint with a valid SAMLResponse, in a new tab; a shareable console
// link opened while signed out signs in first, then federates into the role it names.
import path from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { awsServiceProviderFromMetadata, ROLE_ATTR, values } from '../support/aws-sp.ts';
import { launchChromium } from '../support/browser.ts';
import { startFormSink, type FormSink } from '../support/form-sink.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { keepScreenshot } from '../support/screenshots.ts';

describe('access portal in a browser', function () {
  this.timeout(60000);
  let gh: TestGatehouse;
  let sink: FormSink;
  let org: SeededOrg;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    [gh, sink, chromium] = await Promise.all([startGatehouse(), startFormSink(), launchChromium()]);
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com' }],
      accounts: [
        { accountId: '111122223333', name: 'Production', signInEndpoint: sink.url },
        { accountId: '444455556666', name: 'Development', signInEndpoint: sink.url },
      ],
      permissionSets: [{ name: 'AdministratorAccess', relayState: 'https://console.aws.amazon.com/ec2/home' }, { name: 'ReadOnly' }],
      assignments: [
        { accountId: '111122223333', set: 'AdministratorAccess', user: 'alice' },
        { accountId: '111122223333', set: 'ReadOnly', user: 'alice' },
        { accountId: '444455556666', set: 'ReadOnly', user: 'alice' },
      ],
    });
  });
  after(async () => {
    await chromium?.close();
    await sink?.close();
    await gh?.close();
  });

  it('signs in, searches, expands an account, clicks a role and posts a valid SAMLResponse', async () => {
    const page = await chromium.browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${gh.baseUrl}/start`);
    await page.fill('#userName', 'alice');
    await page.fill('#password', org.users.alice!.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('details.account');

    expect(await page.textContent('#account-count')).to.equal('2 accounts');
    await page.fill('#account-search', 'prod');
    expect(await page.textContent('#account-count')).to.equal('Showing 1 of 2 accounts');
    expect(await page.isVisible('details[data-account-id="444455556666"]')).to.equal(false);
    expect(await page.isVisible('details[data-account-id="111122223333"]')).to.equal(true);
    await page.fill('#account-search', 'nothing-matches-this');
    expect(await page.isVisible('#no-match')).to.equal(true);
    await page.fill('#account-search', '1111');

    await page.click('details[data-account-id="111122223333"] summary');
    await keepScreenshot(page, path.resolve('test-artifacts/portal/accounts.png'));
    const posted = sink.next();
    // The console opens in a new tab; the portal stays where it was.
    const opened = page.context().waitForEvent('page');
    await page.click('details[data-account-id="111122223333"] button[data-role="AdministratorAccess"]');
    const fields = await posted;
    const consoleTab = await opened;
    await consoleTab.waitForURL(sink.url);
    expect(await consoleTab.textContent('h1')).to.equal('Signed in to the stand-in');
    expect(new URL(page.url()).pathname).to.equal('/start');
    expect(fields.RelayState).to.equal('https://console.aws.amazon.com/ec2/home');

    const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, sink.url);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! });
    expect(values(profile as unknown as Record<string, unknown>, ROLE_ATTR)).to.have.length(1);
    expect(values(profile as unknown as Record<string, unknown>, ROLE_ATTR)[0]).to.match(/^arn:aws:iam::111122223333:role\/gatehouse\/Gatehouse_AdministratorAccess_[0-9a-f]{16},arn:aws:iam::111122223333:saml-provider\/Gatehouse$/);
    expect(violations).to.deep.equal([]);
    await page.context().close();
  });

  it('opens a shareable console link while signed out: sign-in first, then the console of the role it names', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    const seen = sink.received.length;
    await page.goto(`${gh.baseUrl}/start/#/console?account_id=444455556666&role_name=ReadOnly&destination=https://console.aws.amazon.com/iam/home`);
    await page.fill('#userName', 'alice');
    await page.fill('#password', org.users.alice!.password);
    await page.click('button[type=submit]');
    await page.waitForURL(sink.url);
    const fields = sink.received[seen]!;
    expect(fields.RelayState).to.equal('https://console.aws.amazon.com/iam/home');
    const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, sink.url);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! });
    const roles = values(profile as unknown as Record<string, unknown>, ROLE_ATTR);
    expect(roles).to.have.length(1);
    expect(roles[0]).to.match(/^arn:aws:iam::444455556666:role\/gatehouse\/Gatehouse_ReadOnly_[0-9a-f]{16},/);

    // Signed in already, the same link goes straight to the console.
    const again = sink.received.length;
    await page.goto(`${gh.baseUrl}/start/#/console?account_id=111122223333&role_name=AdministratorAccess`);
    await page.waitForURL(sink.url);
    expect(sink.received.length).to.equal(again + 1);
    await context.close();
  });
});
