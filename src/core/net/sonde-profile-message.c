/* sonde-profile-message.c: a message a profile keeps, to send later
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-profile-message"

#include "config.h"

#include "sonde-profile-message.h"

SondeProfileMessage *
sonde_profile_message_new (const char         *name,
                           SondeMessageFormat  format,
                           const char         *body)
{
  SondeProfileMessage *message = g_new0 (SondeProfileMessage, 1);

  message->name = g_strdup (name);
  message->format = format;
  message->body = g_strdup (body != NULL ? body : "");
  return message;
}

SondeProfileMessage *
sonde_profile_message_copy (const SondeProfileMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return sonde_profile_message_new (message->name, message->format, message->body);
}

void
sonde_profile_message_free (SondeProfileMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->name);
  g_free (message->body);
  g_free (message);
}
