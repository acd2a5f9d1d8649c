import type { Migration } from 'kysely';
import * as m001 from './001_foundation.js';
import * as m002 from './002_calendar_clocks_alerts.js';
import * as m003 from './003_events_roster.js';
import * as m004 from './004_clock_pause.js';
import * as m010 from './010_policies.js';
import * as m011 from './011_interpretation_edits.js';
import * as m020 from './020_opinion_pipeline.js';
import * as m021 from './021_opinion_corrections.js';
import * as m040 from './040_alert_resolution.js';
import * as m050 from './050_disclosure.js';
import * as m055 from './055_disclosure_attachments.js';
import * as m060 from './060_supervision.js';
import * as m070 from './070_public_site.js';
import * as m100 from './100_opinion_store_once.js';
import * as m101 from './101_opinion_cluster_terms.js';
import * as m102 from './102_opinion_cluster_terms_fillfactor.js';
import * as m103 from './103_opinion_cluster_term_log.js';
import * as m104 from './104_opinion_cluster_log.js';
import * as m110 from './110_opinion_cluster_adjustments.js';
import * as m115 from './115_opinion_lexicon_kind.js';

/** Every migration, by name; names sort in the order they are applied. Never edit a shipped one. */
export const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_calendar_clocks_alerts': m002,
  '003_events_roster': m003,
  '004_clock_pause': m004,
  '010_policies': m010,
  '011_interpretation_edits': m011,
  '020_opinion_pipeline': m020,
  '021_opinion_corrections': m021,
  '040_alert_resolution': m040,
  '050_disclosure': m050,
  '055_disclosure_attachments': m055,
  '060_supervision': m060,
  '070_public_site': m070,
  '100_opinion_store_once': m100,
  '101_opinion_cluster_terms': m101,
  '102_opinion_cluster_terms_fillfactor': m102,
  '103_opinion_cluster_term_log': m103,
  '104_opinion_cluster_log': m104,
  '110_opinion_cluster_adjustments': m110,
  '115_opinion_lexicon_kind': m115,
  // 01x: policies, 02x: opinion pipeline (numbers reserved so capabilities can grow independently)
};
