/* sonde-integrity-private.h: the integrity checker's rules, shared by its
 * own files (sonde-integrity.c checks, sonde-integrity-rules.c reads and
 * writes the rules' JSON)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-integrity.h"
#include "sonde-json-path.h"
#include "sonde-predicate.h"

G_BEGIN_DECLS

typedef struct {
  SondeJsonPath *path;
  double         min;            /* -inf: none */
  double         max;            /* +inf: none */
} SondeIntegrityBand;

typedef struct {
  SondeJsonPath  *seq_path;      /* NULL: no sequence rule */
  SondeJsonPath  *key_path;      /* NULL: one sequence for the whole feed */
  guint           max_keys;
  double          stale_s;       /* 0: no staleness rule */
  SondePredicate *stale_where;   /* NULL: any received message keeps it fresh */
  GPtrArray      *bands;         /* SondeIntegrityBand*, never NULL */
} SondeIntegrityRules;

/* Reads @node (NULL or null: no rules), all or nothing; errors name the
 * member ("integrity.bands[1].min"). */
SondeIntegrityRules *sonde_integrity_rules_parse   (JsonNode                  *node,
                                                    GError                   **error);
JsonNode            *sonde_integrity_rules_to_json (const SondeIntegrityRules *rules);
gboolean             sonde_integrity_rules_empty   (const SondeIntegrityRules *rules);
void                 sonde_integrity_rules_free    (SondeIntegrityRules       *rules);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeIntegrityRules, sonde_integrity_rules_free)

G_END_DECLS
