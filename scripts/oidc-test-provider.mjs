// A real OpenID Connect provider for Loket's tests: npm `oidc-provider` 9
// on 127.0.0.1, with its built-in login and consent forms
// (devInteractions: any password is accepted; the login names the user).
//
//   node scripts/oidc-test-provider.mjs <port> <loket base URL>
//
// Clients (secret = client id + "-secret"):
//   loket-residents  scopes openid profile email rrn      (ACM/IDM-like: claim `rrn`)
//   loket-fas        scopes openid profile email egovnrn  (FAS/CSAM-like: claim `egovnrn`)
//   loket-staff      scopes openid profile email groups   (staff directory: claim `groups`)
// Users (the login typed in the form):
//   anna   Anna Peeters, rrn 85073003328, anna@example.org
//   bert   Bert Janssens, rrn 90020199704, same e-mail as a password account in some tests
//   nonrn  No Number (no national register number)
//   staff1 Staff One, groups [loket-handlers]
//   staff0 Staff Zero, groups [] (no mapped group)
// Prints "ready <issuer>" on stdout once it listens.
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 0);
const base = (process.argv[3] || 'http://127.0.0.1:8080').replace(/\/$/, '');
if (!port) {
  console.error('usage: node scripts/oidc-test-provider.mjs <port> <loket base URL>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const users = {
  anna: { name: 'Anna Peeters', email: 'anna@example.org', nrn: '85073003328', groups: [] },
  bert: { name: 'Bert Janssens', email: 'bert@example.org', nrn: '90020199704', groups: [] },
  nonrn: { name: 'No Number', email: 'nonrn@example.org', nrn: null, groups: [] },
  staff1: { name: 'Staff One', email: 'staff1@example.org', nrn: null, groups: ['loket-handlers'] },
  staff0: { name: 'Staff Zero', email: 'staff0@example.org', nrn: null, groups: [] },
};

const client = (id, redirectPath) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: [`${base}${redirectPath}`],
  post_logout_redirect_uris: [`${base}/`],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(issuer, {
  clients: [
    client('loket-residents', '/login/oidc/residents/callback'),
    client('loket-fas', '/login/oidc/residents/callback'),
    client('loket-staff', '/login/oidc/staff/callback'),
  ],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    email: ['email', 'email_verified'],
    rrn: ['rrn'],
    egovnrn: ['egovnrn'],
    groups: ['groups'],
  },
  // The claims of the scopes asked for go into the ID token too, as
  // ACM/IDM and FAS give them.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  async findAccount(_ctx, id) {
    const u = users[id];
    if (!u) return undefined;
    return {
      accountId: id,
      async claims() {
        const [given, ...family] = u.name.split(' ');
        const c = {
          sub: id,
          name: u.name,
          given_name: given,
          family_name: family.join(' '),
          email: u.email,
          email_verified: true,
          groups: u.groups,
        };
        if (u.nrn) {
          c.rrn = u.nrn;
          c.egovnrn = u.nrn;
        }
        return c;
      },
    };
  },
});
// Plain http on 127.0.0.1 in tests: the provider's cookies without Secure.
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
