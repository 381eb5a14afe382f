/* sonde-mock-rules.h: what the mock server does, read from a JSON file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   {
 *     "on_open":  [MESSAGE, …],              sent to every client that connects
 *     "rules": [                             the first rule whose match holds acts
 *       { "match": {"text": "ping"} | {"regex": "^ping$"} | {"json": "$.op == \"subscribe\""},
 *         "reply": MESSAGE | [MESSAGE, …],
 *         "start": "replay" | TIMER | [NAME, …],
 *         "stop":  "replay" | TIMER | [NAME, …],
 *         "close": CODE | {"code": CODE, "reason": "…"} }
 *     ],
 *     "every": [ { "name": "ticks", "interval_ms": 500, "send": MESSAGE, "paused": true } ],
 *     "close_after": { "received": N | "sent": N, "code": CODE, "reason": "…" }
 *   }
 *
 * A MESSAGE is a string (a text template), {"text": "…"}, {"json": VALUE}
 * or {"binary": "hex"} (sonde-serve-template.h). A match is the log
 * filter's: text contained (case-insensitively), a regular expression, or
 * a JSON predicate (sonde-record-matcher.h). "replay" names the replay:
 * when a rule starts it, it waits for that rule; otherwise it plays from
 * the start. A paused timer waits for a rule that starts it.
 *
 * Immutable once parsed: every client's playback reads the same rules.
 */
#pragma once

#include <glib.h>

#include "sonde-record-matcher.h"
#include "sonde-serve-template.h"

G_BEGIN_DECLS

#define SONDE_MOCK_REPLAY "replay"

typedef struct {
  SondeRecordMatcher *matcher;
  GPtrArray          *reply;         /* SondeServeTemplate, maybe empty */
  GStrv               start;         /* names, maybe NULL */
  GStrv               stop;
  guint16             close_code;    /* 0: none */
  char               *close_reason;
} SondeMockRule;

typedef struct {
  char               *name;          /* maybe NULL */
  guint               interval_ms;
  gboolean            paused;
  SondeServeTemplate *send;
} SondeMockTimer;

typedef struct _SondeMockRules SondeMockRules;

/* SONDE_SERVE_ERROR_INVALID_RULES: "line L, column C: …" for JSON that
 * does not parse; "rules[1].match: …" naming the field for a file that
 * parses but says something the rules cannot. */
SondeMockRules       *sonde_mock_rules_parse      (const char      *data,
                                                   gsize            length,
                                                   GError         **error);
SondeMockRules       *sonde_mock_rules_load       (const char      *path,
                                                   GError         **error);
SondeMockRules       *sonde_mock_rules_ref        (SondeMockRules  *self);
void                  sonde_mock_rules_unref      (SondeMockRules  *self);

GPtrArray            *sonde_mock_rules_get_on_open (SondeMockRules *self);
guint                 sonde_mock_rules_get_n_rules (SondeMockRules *self);
const SondeMockRule  *sonde_mock_rules_get_rule    (SondeMockRules *self,
                                                    guint           index);
/* The first rule that @record (a received message) matches, or NULL. */
const SondeMockRule  *sonde_mock_rules_match       (SondeMockRules    *self,
                                                    const SondeRecord *record);
guint                 sonde_mock_rules_get_n_timers (SondeMockRules *self);
const SondeMockTimer *sonde_mock_rules_get_timer    (SondeMockRules *self,
                                                     guint           index);
/* Whether a rule starts the replay (then it waits for one). */
gboolean              sonde_mock_rules_starts_replay (SondeMockRules *self);
/* close_after: 0 when not set. */
guint                 sonde_mock_rules_get_close_after_received (SondeMockRules *self);
guint                 sonde_mock_rules_get_close_after_sent     (SondeMockRules *self);
guint16               sonde_mock_rules_get_close_after_code     (SondeMockRules *self);
const char           *sonde_mock_rules_get_close_after_reason   (SondeMockRules *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeMockRules, sonde_mock_rules_unref)

G_END_DECLS
