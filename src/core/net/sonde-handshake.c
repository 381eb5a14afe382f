/* sonde-handshake.c: the record of one opening handshake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made on the connection's I/O thread (sonde-upgrade.c) from the request
 * Sonde wrote and the response head it read, one per request (a redirect
 * makes one per hop), then immutable: it is shared with the main thread by
 * reference. The request headers are the ones written, Host included, so
 * the record is what went over the wire.
 */

#define G_LOG_DOMAIN "sonde-handshake"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sonde-error.h"
#include "sonde-handshake.h"
#include "sonde-json-writer.h"

struct _SondeHandshake
{
  gatomicrefcount        ref_count;

  char                  *url;
  char                  *request_line;
  GPtrArray             *request_headers;  /* name, value, name, value… */
  guint                  status;
  char                  *reason_phrase;
  char                  *status_line;
  GPtrArray             *response_headers;
  char                  *protocol;
  char                  *extensions;
  SondeHandshakeTimings  timings;
  GBytes                *response_body;    /* of a refused handshake, bounded */
  gboolean               response_body_truncated;
};

G_DEFINE_BOXED_TYPE (SondeHandshake, sonde_handshake, sonde_handshake_ref, sonde_handshake_unref)

/* The record never holds a secret: values go through @redactor (NULL when
 * the user asked to see secrets). */
static GPtrArray *
copy_headers (SoupMessageHeaders *headers,
              SondeRedactor      *redactor)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_ptr_array_add (array, g_strdup (name));
      g_ptr_array_add (array, redactor ? sonde_redactor_header_value (redactor, name, value) : g_strdup (value));
    }

  return array;
}

static void
append_headers_object (GString   *out,
                       GPtrArray *headers)
{
  gboolean first = TRUE;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* A JSON object cannot repeat a name: values of a repeated header are
   * joined with ", " as RFC 9110 §5.3 allows. */
  g_string_append_c (out, '{');
  for (guint i = 0; i < headers->len; i += 2)
    {
      const char *name = g_ptr_array_index (headers, i);
      g_autoptr(GString) joined = NULL;
      g_autofree char *lower = g_ascii_strdown (name, -1);

      if (g_hash_table_contains (seen, lower))
        continue;
      g_hash_table_add (seen, g_steal_pointer (&lower));

      joined = g_string_new (g_ptr_array_index (headers, i + 1));
      for (guint j = i + 2; j < headers->len; j += 2)
        {
          if (g_ascii_strcasecmp (name, g_ptr_array_index (headers, j)) == 0)
            {
              g_string_append (joined, ", ");
              g_string_append (joined, g_ptr_array_index (headers, j + 1));
            }
        }

      sonde_json_append_string_member (out, &first, name, joined->str);
    }
  g_string_append_c (out, '}');
}

static void
sonde_handshake_free (SondeHandshake *self)
{
  g_free (self->url);
  g_free (self->request_line);
  g_ptr_array_unref (self->request_headers);
  g_free (self->reason_phrase);
  g_free (self->status_line);
  g_ptr_array_unref (self->response_headers);
  g_free (self->protocol);
  g_free (self->extensions);
  g_clear_pointer (&self->response_body, g_bytes_unref);
  g_free (self);
}

/* A record of one request and its answer, from the parts Sonde wrote and
 * read itself: @method and @path_and_query of the request line,
 * @request_headers exactly as written (Host included), the status line's
 * parts and @response_headers (NULL and 0 when the server never
 * answered). Secrets in the URL, the path and header values go through
 * @redactor (NULL when the user asked to see them). */
SondeHandshake *
sonde_handshake_new (const char                  *url,
                     SondeRedactor               *redactor,
                     const char                  *method,
                     const char                  *path_and_query,
                     SoupMessageHeaders          *request_headers,
                     SoupHTTPVersion              http_version,
                     guint                        status,
                     const char                  *reason_phrase,
                     SoupMessageHeaders          *response_headers,
                     const SondeHandshakeTimings *timings,
                     const char                  *protocol,
                     const char                  *extensions)
{
  SondeHandshake *self;
  g_autofree char *path = NULL;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path_and_query != NULL, NULL);
  g_return_val_if_fail (request_headers != NULL, NULL);

  self = g_new0 (SondeHandshake, 1);
  g_atomic_ref_count_init (&self->ref_count);

  path = g_strdup (*path_and_query ? path_and_query : "/");
  if (redactor != NULL)
    {
      /* The path's query may carry an API key: mask it as in a URL. */
      g_autofree char *as_url = g_strconcat ("http://h", path, NULL);
      g_autofree char *masked = sonde_redactor_url (redactor, as_url);

      g_free (path);
      path = g_strdup (g_str_has_prefix (masked, "http://h") ? masked + strlen ("http://h") : masked);
    }

  self->url = redactor ? sonde_redactor_url (redactor, url) : g_strdup (url);
  self->request_line = g_strdup_printf ("%s %s HTTP/1.1", method, path);
  self->request_headers = copy_headers (request_headers, redactor);
  self->status = status;
  /* The server's words, shown and written as JSON: UTF-8 whatever it sent. */
  self->reason_phrase = g_utf8_make_valid (reason_phrase ? reason_phrase : "", -1);
  self->status_line = g_strdup_printf ("HTTP/1.%d %u %s", http_version == SOUP_HTTP_1_0 ? 0 : 1,
                                       self->status, self->reason_phrase);
  self->response_headers = response_headers ? copy_headers (response_headers, redactor)
                                            : g_ptr_array_new_with_free_func (g_free);
  self->protocol = g_strdup (protocol);
  self->extensions = g_strdup (extensions);

  if (timings != NULL)
    self->timings = *timings;
  else
    {
      self->timings.dns_ms = self->timings.connect_ms = self->timings.tls_ms = -1;
      self->timings.upgrade_ms = self->timings.total_ms = -1;
    }

  return self;
}

SondeHandshake *
sonde_handshake_ref (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_handshake_unref (SondeHandshake *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    sonde_handshake_free (self);
}

const char *
sonde_handshake_get_url (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->url;
}

/* "GET /ticker?x=1 HTTP/1.1" */
const char *
sonde_handshake_get_request_line (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->request_line;
}

guint
sonde_handshake_get_n_request_headers (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->request_headers->len / 2;
}

void
sonde_handshake_get_request_header (SondeHandshake  *self,
                                    guint            index,
                                    const char     **name,
                                    const char     **value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->request_headers->len / 2);

  *name = g_ptr_array_index (self->request_headers, index * 2);
  *value = g_ptr_array_index (self->request_headers, index * 2 + 1);
}

/* 0 when the server never answered. */
guint
sonde_handshake_get_status (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->status;
}

const char *
sonde_handshake_get_reason_phrase (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->reason_phrase;
}

/* "HTTP/1.1 101 Switching Protocols" */
const char *
sonde_handshake_get_status_line (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->status_line;
}

guint
sonde_handshake_get_n_response_headers (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->response_headers->len / 2;
}

void
sonde_handshake_get_response_header (SondeHandshake  *self,
                                     guint            index,
                                     const char     **name,
                                     const char     **value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->response_headers->len / 2);

  *name = g_ptr_array_index (self->response_headers, index * 2);
  *value = g_ptr_array_index (self->response_headers, index * 2 + 1);
}

/* The first response header called @name (case-insensitive), or NULL. */
const char *
sonde_handshake_get_response_header_value (SondeHandshake *self,
                                           const char     *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->response_headers->len; i += 2)
    {
      if (g_ascii_strcasecmp (g_ptr_array_index (self->response_headers, i), name) == 0)
        return g_ptr_array_index (self->response_headers, i + 1);
    }

  return NULL;
}

/* The negotiated subprotocol, or NULL when none was agreed. */
const char *
sonde_handshake_get_protocol (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->protocol;
}

/* The negotiated extensions as the server listed them, or NULL. */
const char *
sonde_handshake_get_extensions (SondeHandshake *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->extensions;
}

void
sonde_handshake_get_timings (SondeHandshake        *self,
                             SondeHandshakeTimings *timings)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (timings != NULL);

  *timings = self->timings;
}

/* The body of a refused handshake's response (a 401's explanation, say),
 * its first SONDE_HANDSHAKE_MAX_BODY bytes; @truncated when there was
 * more. Set by the link before the record is shared. */
void
sonde_handshake_set_response_body (SondeHandshake *self,
                                   GBytes         *body,
                                   gboolean        truncated)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->response_body, g_bytes_unref);
  if (body != NULL && g_bytes_get_size (body) > SONDE_HANDSHAKE_MAX_BODY)
    {
      self->response_body = g_bytes_new_from_bytes (body, 0, SONDE_HANDSHAKE_MAX_BODY);
      truncated = TRUE;
    }
  else if (body != NULL)
    self->response_body = g_bytes_ref (body);
  self->response_body_truncated = body != NULL && truncated;
}

/* Returns: (nullable): the body of a refused handshake's response, or
 * NULL when there was none (an accepted handshake has none). */
GBytes *
sonde_handshake_get_response_body (SondeHandshake *self,
                                   gboolean       *truncated)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (truncated != NULL)
    *truncated = self->response_body_truncated;
  return self->response_body;
}

char *
sonde_handshake_to_json (SondeHandshake *self)
{
  GString *out = g_string_new ("{");
  gboolean first = TRUE;
  gboolean inner;

  g_return_val_if_fail (self != NULL, NULL);

  sonde_json_append_string_member (out, &first, "url", self->url);

  sonde_json_append_member (out, &first, "request");
  g_string_append_c (out, '{');
  inner = TRUE;
  sonde_json_append_string_member (out, &inner, "line", self->request_line);
  sonde_json_append_member (out, &inner, "headers");
  append_headers_object (out, self->request_headers);
  g_string_append_c (out, '}');

  sonde_json_append_int_member (out, &first, "status", self->status);
  sonde_json_append_string_member (out, &first, "reason_phrase", self->reason_phrase);
  sonde_json_append_member (out, &first, "headers");
  append_headers_object (out, self->response_headers);
  sonde_json_append_string_member (out, &first, "protocol", self->protocol);
  sonde_json_append_string_member (out, &first, "extensions", self->extensions);
  if (self->response_body != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (self->response_body, &size);

      /* Text as text; anything else as hex digits. */
      if (g_utf8_validate_len (data, size, NULL) && memchr (data, '\0', size) == NULL)
        {
          g_autofree char *text = g_strndup (data ? data : "", size);

          sonde_json_append_string_member (out, &first, "body", text);
        }
      else
        {
          g_autoptr(GString) hex = g_string_sized_new (size * 2);

          for (gsize i = 0; i < size; i++)
            g_string_append_printf (hex, "%02x", (guint8) data[i]);
          sonde_json_append_string_member (out, &first, "body_hex", hex->str);
        }
      sonde_json_append_bool_member (out, &first, "body_truncated", self->response_body_truncated);
    }

  sonde_json_append_member (out, &first, "timings");
  g_string_append_c (out, '{');
  inner = TRUE;
  sonde_json_append_double_member (out, &inner, "dns_ms", self->timings.dns_ms);
  sonde_json_append_double_member (out, &inner, "connect_ms", self->timings.connect_ms);
  sonde_json_append_double_member (out, &inner, "tls_ms", self->timings.tls_ms);
  sonde_json_append_double_member (out, &inner, "upgrade_ms", self->timings.upgrade_ms);
  sonde_json_append_double_member (out, &inner, "total_ms", self->timings.total_ms);
  g_string_append_c (out, '}');

  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static char *
dup_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  /* json-glib lets a lone surrogate escape through as bytes that are not
   * UTF-8: what is shown and written again is text. */
  return g_utf8_make_valid (json_node_get_string (node), -1);
}

static double
double_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  value = json_node_get_double (node);
  /* Not a time a handshake takes (past a double's range json-glib reads
   * inf; a day is longer than any deadline): not measured. */
  return isfinite (value) && value >= 0 && value <= 86400000.0 ? value : -1;
}

static GPtrArray *
headers_from_object (JsonObject *object)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GList) names = object != NULL ? json_object_get_members (object) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        continue;
      g_ptr_array_add (array, g_utf8_make_valid (l->data, -1));
      g_ptr_array_add (array, g_utf8_make_valid (json_node_get_string (value), -1));
    }
  return array;
}

/* The record's JSON back into a handshake. Only what the record holds: a
 * missing member is empty, a timing missing is -1 (not measured). */
SondeHandshake *
sonde_handshake_new_from_json (const char  *data,
                               gsize        length,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  SondeHandshake *self;
  JsonObject *root;
  JsonObject *request = NULL;
  JsonObject *timings = NULL;
  JsonNode *node;
  g_autofree char *body = NULL;
  g_autofree char *body_hex = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error)
      || json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_JSON, _("Not a handshake record: %s"),
                   local_error != NULL ? local_error->message : _("not a JSON object"));
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (root, "request") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "request")))
    request = json_object_get_object_member (root, "request");
  if (json_object_has_member (root, "timings") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "timings")))
    timings = json_object_get_object_member (root, "timings");

  self = g_new0 (SondeHandshake, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->url = dup_member (root, "url");
  self->request_line = dup_member (request, "line");
  if (self->request_line == NULL)
    self->request_line = g_strdup ("");
  node = request != NULL ? json_object_get_member (request, "headers") : NULL;
  self->request_headers = headers_from_object (node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                                               ? json_node_get_object (node) : NULL);
  node = json_object_get_member (root, "status");
  self->status = node != NULL && JSON_NODE_HOLDS_VALUE (node)
                 ? (guint) CLAMP (json_node_get_int (node), 0, 999) : 0;
  self->reason_phrase = dup_member (root, "reason_phrase");
  if (self->reason_phrase == NULL)
    self->reason_phrase = g_strdup ("");
  self->status_line = self->status != 0 ? g_strdup_printf ("HTTP/1.1 %u %s", self->status, self->reason_phrase)
                                        : g_strdup ("");
  node = json_object_get_member (root, "headers");
  self->response_headers = headers_from_object (node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                                                ? json_node_get_object (node) : NULL);
  self->protocol = dup_member (root, "protocol");
  self->extensions = dup_member (root, "extensions");
  self->timings.dns_ms = double_member (timings, "dns_ms");
  self->timings.connect_ms = double_member (timings, "connect_ms");
  self->timings.tls_ms = double_member (timings, "tls_ms");
  self->timings.upgrade_ms = double_member (timings, "upgrade_ms");
  self->timings.total_ms = double_member (timings, "total_ms");

  body = dup_member (root, "body");
  body_hex = dup_member (root, "body_hex");
  if (body != NULL)
    {
      gsize size = strlen (body);

      self->response_body = g_bytes_new_take (g_steal_pointer (&body), size);
    }
  else if (body_hex != NULL)
    {
      gsize n = strlen (body_hex) / 2;
      guint8 *bytes = g_malloc (n + 1);
      gsize got = 0;

      for (gsize i = 0; i < n; i++)
        {
          int hi = g_ascii_xdigit_value (body_hex[2 * i]);
          int lo = g_ascii_xdigit_value (body_hex[2 * i + 1]);

          if (hi < 0 || lo < 0)
            break;
          bytes[got++] = (guint8) (hi << 4 | lo);
        }
      self->response_body = g_bytes_new_take (bytes, got);
    }
  if (self->response_body != NULL)
    {
      node = json_object_get_member (root, "body_truncated");
      self->response_body_truncated = node != NULL && JSON_NODE_HOLDS_VALUE (node)
                                      && json_node_get_value_type (node) == G_TYPE_BOOLEAN
                                      && json_node_get_boolean (node);
    }
  return self;
}
