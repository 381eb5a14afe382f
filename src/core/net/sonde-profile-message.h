/* sonde-profile-message.h: a message a profile keeps, to send later
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-template.h"

G_BEGIN_DECLS

/* A message kept in a profile: a saved template (with a name), an on-open
 * message or the heartbeat (name unused). Its body may hold placeholders.
 * A connection takes its on-open messages, heartbeat and latency probe in
 * this form; a profile keeps them so. */
typedef struct {
  char               *name;
  SondeMessageFormat  format;
  char               *body;
} SondeProfileMessage;

SondeProfileMessage *sonde_profile_message_new  (const char                *name,
                                                 SondeMessageFormat         format,
                                                 const char                *body);
SondeProfileMessage *sonde_profile_message_copy (const SondeProfileMessage *message);
void                 sonde_profile_message_free (SondeProfileMessage       *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeProfileMessage, sonde_profile_message_free)

G_END_DECLS
