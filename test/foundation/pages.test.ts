import { ROLES } from '../../src/db/schema.js';
import { login, usePlatform } from '../support/platform.js';
import { makeDepartment, makeUser, PASSWORD } from '../support/factories.js';

const tp = usePlatform({ start: false });

test.each(ROLES)('every page in the %s navigation renders', async (role) => {
  const dept = await makeDepartment(tp);
  const u = await makeUser(tp, [role], dept.id);
  const s = await login(tp, u.username, PASSWORD);
  const home = await s.agent.get('/').expect(200);
  const links = [...home.text.matchAll(/<nav class="mainnav">([\s\S]*?)<\/nav>/g)]
    .flatMap((m) => [...m[1]!.matchAll(/href="([^"]+)"/g)].map((h) => h[1]!))
    .filter((h, i, all) => all.indexOf(h) === i);
  expect(links.length).toBeGreaterThan(1);
  for (const href of links) {
    const res = await s.agent.get(href);
    expect([href, res.status]).toEqual([href, 200]);
    expect(res.text).toContain('</html>');
  }
});
