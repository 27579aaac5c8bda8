import { pageSettingsJson, signInOriginOf } from './staff-page';

describe('a staff page’s settings', () => {
  it('escape every "<", so that no value can close the script element that holds them', () => {
    expect(pageSettingsJson({ name: '</script><script>alert(1)</script>' })).toBe(
      '{"name":"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"}',
    );
  });

  it('name the sign-in’s origin for the Content-Security-Policy, and nothing for an address that is not one', () => {
    expect(signInOriginOf('https://auth.example.com/oauth2/authorize?x=1')).toBe('https://auth.example.com');
    expect(signInOriginOf('not an address')).toBe('');
  });
});
