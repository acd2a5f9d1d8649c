import { sql, type Kysely } from 'kysely';

/**
 * Interpretations can be corrected and deleted. Each remembers the clock its publication stopped,
 * so that a later edit or deletion can say which deadline it had settled (the clock keeps its
 * outcome either way), and the document's trail gains the two new steps.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table interpretations
      add column satisfied_clock_id int references clocks(id) on delete set null;

    -- Existing rows: the earliest interpretation published at the moment the clock was met.
    update interpretations i set satisfied_clock_id = c.id
      from clocks c
      where c.subject_kind = 'policy' and c.kind = 'interpretation' and c.subject_id = i.policy_id
        and c.state in ('met', 'met_late') and c.met_at = i.published_at
        and i.id = (select min(j.id) from interpretations j
                    where j.policy_id = i.policy_id and j.published_at = c.met_at);

    alter table policy_events drop constraint policy_events_kind_check;
    alter table policy_events add constraint policy_events_kind_check check (kind in
      ('create', 'update', 'submit', 'approve', 'return', 'publish', 'withdraw', 'interpret',
       'interpret_update', 'interpret_delete'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from policy_events where kind in ('interpret_update', 'interpret_delete');
    alter table policy_events drop constraint policy_events_kind_check;
    alter table policy_events add constraint policy_events_kind_check check (kind in
      ('create', 'update', 'submit', 'approve', 'return', 'publish', 'withdraw', 'interpret'));
    alter table interpretations drop column satisfied_clock_id;
  `.execute(db);
}
