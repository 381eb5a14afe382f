/* sonde-predicate.h: which messages a series takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A condition on one path of a message: PATH OP LITERAL where OP is one of
 * == != < <= > >= and LITERAL is a number, a "string", true, false or
 * null; or just PATH (true when it exists and is not null or false).
 * Examples: $.type == "trade", $.sym == "ABC", $.v > 0. Comparisons of a
 * number with a string (or anything with the wrong type) are false.
 * Conditions may be joined with && (all must hold).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SondePredicate SondePredicate;

SondePredicate *sonde_predicate_new       (const char     *text,
                                           GError        **error);
SondePredicate *sonde_predicate_ref       (SondePredicate *self);
void            sonde_predicate_unref     (SondePredicate *self);
const char     *sonde_predicate_to_string (SondePredicate *self);
gboolean        sonde_predicate_matches   (SondePredicate *self,
                                           const char     *json,
                                           gsize           length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondePredicate, sonde_predicate_unref)

G_END_DECLS
