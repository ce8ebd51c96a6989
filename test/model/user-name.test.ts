// The key every spelling of a sign-in name shares (model/user-name.ts): it must fold at least
// what a directory's caseIgnoreMatch folds (RFC 4518), or each spelling gets its own allowance.
import { expect } from 'chai';
import { directoryUserName, userNameKey } from '../../model/user-name.ts';

describe('user name key', () => {
  it('folds outer and repeated spaces, case, compatibility forms and invisible characters', () => {
    const spellings = [
      'ivan smith', ' ivan smith', 'ivan smith  ', 'IVAN  SMITH', '\tIvan\u00a0Smith\n', 'ｉｖａｎ　ｓｍｉｔｈ',
      'iv\u00adan smith', 'ivan\u200b smith', '\ufeffivan smith', 'ivan\u2003smith', 'i\u034fvan smith',
    ];
    for (const spelling of spellings) expect(userNameKey(spelling), JSON.stringify(spelling)).to.equal('ivan smith');
  });

  it('folds case fully, as Unicode case folding does', () => {
    expect(userNameKey('STRASSE')).to.equal(userNameKey('straße'));
    expect(userNameKey('ΟΔΥΣΣΕΥΣ')).to.equal(userNameKey('οδυσσευς')).and.to.equal(userNameKey('οδυσσευς'.replace(/σ$/, 'ς')));
  });

  it('keeps names apart that differ in more than spelling', () => {
    expect(userNameKey('ivan')).to.not.equal(userNameKey('ivana'));
    expect(userNameKey('ivan smith')).to.not.equal(userNameKey('ivansmith'));
  });

  it('hands the directory the typed name without its outer whitespace, and nothing else changed', () => {
    expect(directoryUserName('  Ivan Smith\t')).to.equal('Ivan Smith');
    expect(directoryUserName('ｉｖａｎ')).to.equal('ｉｖａｎ');
  });
});
