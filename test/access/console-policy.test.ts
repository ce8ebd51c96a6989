// The IAM policy grammar check behind the console's policy editor.
import { expect } from 'chai';
import { checkPolicy } from '../../access/admin/console-policy.ts';

const policy = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', Statement: statement, ...extra });

describe('console policy check (IAM policy grammar)', () => {
  it('accepts real policies: a list or a single statement, NotAction, NotResource, conditions', () => {
    const ok = [
      policy([{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:List*'], Resource: 'arn:aws:s3:::bucket/*' }]),
      policy({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }),
      policy([{ Effect: 'Allow', Action: '*', NotResource: ['arn:aws:s3:::secret/*'], Condition: { StringEquals: { 'aws:PrincipalTag/team': ['a', 'b'] }, Bool: { 'aws:MultiFactorAuthPresent': true } } }]),
    ];
    for (const text of ok) {
      const r = checkPolicy(text);
      expect(r.problems, text).to.deep.equal([]);
      expect(r.ok).to.equal(true);
      expect(r.bytes).to.equal(Buffer.byteLength(text));
    }
    expect(checkPolicy(policy([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ec2:*', Resource: '*' }])).statements).to.equal(2);
  });

  it('names each problem with where it is', () => {
    const cases: [string, RegExp][] = [
      ['{"Version":', /Not valid JSON/],
      ['[]', /must be a JSON object/],
      [JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), /Version is missing/],
      [JSON.stringify({ Version: '2020-01-01', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), /Version must be "2012-10-17"/],
      [JSON.stringify({ Version: '2012-10-17' }), /Statement is missing/],
      [policy([]), /at least one statement/],
      [policy([{ Effect: 'allow', Action: '*', Resource: '*' }]), /Statement\[0\]\.Effect must be "Allow" or "Deny"/],
      [policy([{ Effect: 'Allow', Resource: '*' }]), /Statement\[0\] needs Action or NotAction/],
      [policy([{ Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' }]), /both Action and NotAction/],
      [policy([{ Effect: 'Allow', Action: 's3 GetObject', Resource: '*' }]), /Statement\[0\]\.Action "s3 GetObject" is not service:Action/],
      [policy([{ Effect: 'Allow', Action: [], Resource: '*' }]), /non-empty list/],
      [policy([{ Effect: 'Allow', Action: '*', Resource: 'bucket' }]), /Resource "bucket" is not an ARN or \*/],
      [policy([{ Effect: 'Allow', Action: '*' }]), /needs Resource or NotResource/],
      [policy([{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }]), /takes no Principal/],
      [policy([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: 'yes' }]), /Condition must be an object/],
      [policy([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { k: { deep: 1 } } } }]), /Condition\.StringEquals\.k must be a value/],
      [policy([{ Sid: 'A', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'A', Effect: 'Deny', Action: '*', Resource: '*' }]), /Statement\[1\]\.Sid A is used by another statement/],
      [policy([{ Sid: 'no spaces', Effect: 'Allow', Action: '*', Resource: '*' }]), /Sid may hold only letters and digits/],
      [policy([{ Effect: 'Allow', Action: '*', Resource: '*', Actions: 's3:*' }]), /unknown element Actions/],
      [policy([{ Effect: 'Allow', Action: '*', Resource: '*' }], { Extra: 1 }), /Unknown top-level element Extra/],
    ];
    for (const [text, problem] of cases) {
      const r = checkPolicy(text);
      expect(r.ok, text).to.equal(false);
      expect(r.problems.join('\n'), text).to.match(problem);
    }
  });

  it('counts bytes against the 32768-byte limit of a permission set\'s inline policy', () => {
    const big = policy([{ Effect: 'Allow', Action: '*', Resource: Array.from({ length: 1500 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }]);
    const r = checkPolicy(big);
    expect(r.bytes).to.be.greaterThan(32768);
    expect(r.maxBytes).to.equal(32768);
    expect(r.problems[0]).to.match(/at most 32768/);
  });
});
