/* sonde-integrity.h: a feed's integrity: sequence numbers, staleness, bands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rules as JSON (kept in the profile as "integrity"):
 *   {"sequence": {"path": "$.seq", "key": "$.sym", "max_keys": 1024},
 *    "stale_after_s": 10, "stale_predicate": "$.type == \"trade\"",
 *    "bands": [{"path": "$.price", "min": 0, "max": 1000}]}
 * Every member is optional; a band needs a path and min, max or both.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sonde-connection.h"

G_BEGIN_DECLS

/* Keys tracked apart (per "key" value) unless the rules say otherwise;
 * messages of keys beyond the bound are counted, not checked. */
#define SONDE_INTEGRITY_DEFAULT_MAX_KEYS 1024
#define SONDE_INTEGRITY_MAX_KEYS_LIMIT   100000
/* Violations kept for the log's rows and the charts' markers (the counts
 * go on beyond). */
#define SONDE_INTEGRITY_KEPT             4096
#define SONDE_INTEGRITY_MAX_BANDS        32
#define SONDE_INTEGRITY_MAX_STALE_S      86400

typedef enum {
  SONDE_INTEGRITY_GAP,            /* values skipped: @missing of them */
  SONDE_INTEGRITY_DUPLICATE,      /* a value seen before */
  SONDE_INTEGRITY_OUT_OF_ORDER,   /* a value lower than one seen, not seen itself */
  SONDE_INTEGRITY_STALE,          /* nothing (matching) for the stale time; cleared later */
  SONDE_INTEGRITY_BAND,           /* a value outside its band */
} SondeIntegrityKind;

#define SONDE_INTEGRITY_N_KINDS (SONDE_INTEGRITY_BAND + 1)

/* One violation. Strings are borrowed for the length of a signal or until
 * the next call on the checker. */
typedef struct {
  SondeIntegrityKind  kind;
  guint64             record_seq;  /* the log record it happened at (STALE: the last record then) */
  gint64              wall_us;     /* when */
  const char         *key;         /* the "key" value of the message, or NULL */
  gint64              value;       /* GAP, DUPLICATE, OUT_OF_ORDER: the sequence value received */
  gint64              last;        /* …: the highest value before it */
  guint64             missing;     /* GAP: how many values are missing */
  const char         *path;        /* BAND: the band's path; else the sequence path */
  double              number;      /* BAND: the value read */
  double              min;         /* BAND: -inf when none */
  double              max;         /* BAND: +inf when none */
  gboolean            raised;      /* STALE: TRUE raised, FALSE cleared */
  double              stale_s;     /* STALE: the rule's seconds */
} SondeIntegrityViolation;

#define SONDE_TYPE_INTEGRITY (sonde_integrity_get_type ())
G_DECLARE_FINAL_TYPE (SondeIntegrity, sonde_integrity, SONDE, INTEGRITY, GObject)

SondeIntegrity *sonde_integrity_new              (SondeConnection  *connection);
gboolean        sonde_integrity_set_rules        (SondeIntegrity   *self,
                                                  JsonNode         *rules,
                                                  GError          **error);
JsonNode       *sonde_integrity_dup_rules        (SondeIntegrity   *self);
gboolean        sonde_integrity_check_rules      (JsonNode         *rules,
                                                  GError          **error);
gboolean        sonde_integrity_has_rules        (SondeIntegrity   *self);

/* Forgets every sequence value seen (the counts stay). */
void            sonde_integrity_reset_sequences  (SondeIntegrity   *self);

/* Counts since the checker was made, for metrics
 * (sonde_integrity_violations_total{kind}); STALE counts raises. */
guint64         sonde_integrity_get_count        (SondeIntegrity   *self,
                                                  SondeIntegrityKind kind);
guint64         sonde_integrity_get_n_missing    (SondeIntegrity   *self);
/* Messages whose key was past the bound on keys, and so not checked. */
guint64         sonde_integrity_get_n_keys_dropped (SondeIntegrity *self);
guint           sonde_integrity_get_n_keys       (SondeIntegrity   *self);
gboolean        sonde_integrity_get_stale        (SondeIntegrity   *self);
/* Changes whenever a violation is kept (for redraws). */
guint64         sonde_integrity_get_serial       (SondeIntegrity   *self);

/* The violations kept, oldest first: at most SONDE_INTEGRITY_KEPT. */
guint           sonde_integrity_get_n_kept       (SondeIntegrity   *self);
gboolean        sonde_integrity_get_kept         (SondeIntegrity   *self,
                                                  guint             index,
                                                  SondeIntegrityViolation *violation);
/* Whether a violation kept happened at the log record @record_seq; what
 * they say, one a line (NULL: none). */
gboolean        sonde_integrity_has_record       (SondeIntegrity   *self,
                                                  guint64           record_seq);
char           *sonde_integrity_describe_record  (SondeIntegrity   *self,
                                                  guint64           record_seq);

/* "gap", "duplicate", "out_of_order", "stale", "band": a metric's label. */
const char     *sonde_integrity_kind_to_string   (SondeIntegrityKind kind);
/* What it says to a person: "gap: 3 missing after seq 41 (ABC)". */
char           *sonde_integrity_violation_describe (const SondeIntegrityViolation *violation);

G_END_DECLS
