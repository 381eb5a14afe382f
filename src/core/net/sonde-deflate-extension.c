/* sonde-deflate-extension.c: permessage-deflate (RFC 7692) with a bounded
 * inflate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2's SoupWebsocketExtensionDeflate inflates each frame into a
 * buffer that grows until the input is used up, so one frame of ~1 MB of
 * compressed zeros becomes 1 GiB in memory before anything can check the
 * message's size (the CVE-2025-32049 class). This one inflates into bounded
 * chunks and stops a message the moment its inflated total passes the
 * limit.
 *
 * How SoupWebsocketConnection calls an extension (3.2):
 * - process_incoming_message once per FRAME, control frames included, with
 *   the frame's header (writable) and its unmasked payload. The first frame
 *   of a compressed message carries RSV1, its continuations do not; the
 *   extension clears RSV1 (libsoup refuses any RSV bit left set).
 * - process_outgoing_message once per MESSAGE (libsoup never fragments what
 *   it sends), control messages included.
 * Both take the payload (transfer full) and return the new one, or NULL
 * with an error; a SOUP_WEBSOCKET_ERROR code is the close code.
 */

#define G_LOG_DOMAIN "sonde-deflate-extension"

#include "config.h"

#include <string.h>
#include <zlib.h>
#include <glib/gi18n.h>

#include "sonde-deflate-extension.h"
#include "sonde-text.h"

/* Inflated output grows by at most this much between two checks of the
 * limit: a stopped message holds at most the limit plus one chunk. */
#define INFLATE_CHUNK (16 * 1024)

/* zlib counts in uInt and a GByteArray in guint: the largest message it
 * inflates or compresses, whatever the limit (0 included) says. */
#define LARGEST_MESSAGE ((guint64) G_MAXUINT32 - INFLATE_CHUNK)

#define HEADER_FIN  0x80
#define HEADER_RSV1 0x40
#define HEADER_CONTROL 0x08
#define HEADER_OPCODE 0x0f

#define OFFER "permessage-deflate; client_max_window_bits"
#define EXTENSION_NAME "permessage-deflate"

/* The four parameters of RFC 7692 section 7.1, as negotiated. */
typedef struct
{
  gboolean server_no_context_takeover;
  gboolean client_no_context_takeover;
  guint server_max_window_bits; /* 0: absent */
  guint client_max_window_bits; /* 0: absent or without a value */
  gboolean client_max_window_bits_present;
} Params;

struct _SondeDeflateExtension
{
  SoupWebsocketExtension parent_instance;

  /* owned */
  z_stream deflater;
  z_stream inflater;
  gboolean deflater_ready;
  gboolean inflater_ready;
  Params params;
  gboolean compress_reset_each_message;
  gboolean inflate_reset_each_message;

  guint64 max_message_size;
  /* The compressed message being received: its first frame came, its last
   * not yet. */
  gboolean receiving;
  guint64 received_total;
  guint64 limit_reached;
};

G_DEFINE_FINAL_TYPE (SondeDeflateExtension, sonde_deflate_extension, SOUP_TYPE_WEBSOCKET_EXTENSION)

enum {
  PROP_0,
  PROP_MAX_MESSAGE_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Parameters ---------------------------------------------------------- */

static gboolean
set_param_error (GError    **error,
                 const char *format,
                 ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_param_error (GError    **error,
                 const char *format,
                 ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE, message);
  return FALSE;
}

static gboolean
parse_window_bits (const char *name,
                   const char *value,
                   guint      *out,
                   GError    **error)
{
  guint64 bits = 0;

  if (value == NULL)
    return set_param_error (error, _("permessage-deflate: the parameter “%s” needs a value"), name);

  if (!g_ascii_string_to_unsigned (value, 10, 8, 15, &bits, NULL))
    return set_param_error (error,
                            _("permessage-deflate: the parameter “%s” has an invalid value “%s” (window bits are 8 to 15)"),
                            name, value);
  *out = (guint) bits;
  return TRUE;
}

static gboolean
parse_flag (const char *name,
            const char *value,
            gboolean   *out,
            GError    **error)
{
  if (value != NULL)
    return set_param_error (error, _("permessage-deflate: the parameter “%s” takes no value"), name);
  *out = TRUE;
  return TRUE;
}

/* Checks the parameters of an offer (@is_response FALSE, read by a server)
 * or of a response (read by a client, whose offer carried
 * client_max_window_bits when @offered_client_bits) into @out. */
static gboolean
parse_params (GHashTable *params,
              gboolean    is_response,
              gboolean    offered_client_bits,
              Params     *out,
              GError    **error)
{
  GHashTableIter iter;
  gpointer key, value;

  memset (out, 0, sizeof *out);
  if (params == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const char *text = value;

      if (g_str_equal (name, "server_no_context_takeover"))
        {
          if (!parse_flag (name, text, &out->server_no_context_takeover, error))
            return FALSE;
        }
      else if (g_str_equal (name, "client_no_context_takeover"))
        {
          if (!parse_flag (name, text, &out->client_no_context_takeover, error))
            return FALSE;
        }
      else if (g_str_equal (name, "server_max_window_bits"))
        {
          if (!parse_window_bits (name, text, &out->server_max_window_bits, error))
            return FALSE;
        }
      else if (g_str_equal (name, "client_max_window_bits"))
        {
          if (is_response && !offered_client_bits)
            return set_param_error (error,
                                    _("permessage-deflate: the server answered with “%s”, which the client did not offer"),
                                    name);
          /* In an offer it may come alone ("I can use a smaller window");
           * in a response it must say which. */
          if ((is_response || text != NULL)
              && !parse_window_bits (name, text, &out->client_max_window_bits, error))
            return FALSE;
          out->client_max_window_bits_present = TRUE;
        }
      else
        return set_param_error (error, _("permessage-deflate: unknown parameter “%s”"), name);
    }

  return TRUE;
}

static gboolean
is_token (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isgraph (*s) || strchr ("()<>@,;:\\\"/[]?={}", *s) != NULL)
      return FALSE;
  return TRUE;
}

/* "permessage-deflate; a; b=1; c=\"2\"" as a table of names (lowercased) to
 * values (NULL when none), refusing what the hash table of the configure
 * vfunc could not show: duplicates and malformed parameters. */
static GHashTable *
parse_element (const char  *element,
               GError     **error)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) parts = g_strsplit (element, ";", -1);

  if (parts[0] == NULL || g_ascii_strcasecmp (g_strstrip (parts[0]), EXTENSION_NAME) != 0)
    {
      set_param_error (error, _("“%s” is not a permessage-deflate extension"), element);
      return NULL;
    }

  for (guint i = 1; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      g_autofree char *original = g_strdup (*part != '\0' ? part : element);
      char *equals = strchr (part, '=');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (equals != NULL)
        {
          char *raw = g_strstrip (equals + 1);
          gsize len = strlen (raw);

          *equals = '\0';
          if (len >= 2 && raw[0] == '"' && raw[len - 1] == '"')
            value = g_strndup (raw + 1, len - 2);
          else
            value = g_strdup (raw);
        }
      name = g_ascii_strdown (g_strstrip (part), -1);
      if (!is_token (name) || (value != NULL && !is_token (value)))
        {
          set_param_error (error, _("permessage-deflate: malformed parameter “%s”"), original);
          return NULL;
        }
      if (g_hash_table_contains (params, name))
        {
          set_param_error (error, _("permessage-deflate: the parameter “%s” appears more than once"), name);
          return NULL;
        }
      g_hash_table_insert (params, g_steal_pointer (&name), g_steal_pointer (&value));
    }

  return g_steal_pointer (&params);
}

/* zlib ------------------------------------------------------------------ */

static void
end_zlib (SondeDeflateExtension *self)
{
  if (self->deflater_ready)
    deflateEnd (&self->deflater);
  if (self->inflater_ready)
    inflateEnd (&self->inflater);
  self->deflater_ready = FALSE;
  self->inflater_ready = FALSE;
  self->receiving = FALSE;
}

/* Sets up both streams for @type from @params (already checked). */
static gboolean
start_zlib (SondeDeflateExtension        *self,
            SoupWebsocketConnectionType   type,
            const Params                 *params,
            GError                      **error)
{
  guint own_bits;
  int level = Z_DEFAULT_COMPRESSION;

  end_zlib (self);
  self->params = *params;

  if (type == SOUP_WEBSOCKET_CONNECTION_CLIENT)
    {
      own_bits = params->client_max_window_bits;
      self->compress_reset_each_message = params->client_no_context_takeover;
      self->inflate_reset_each_message = params->server_no_context_takeover;
    }
  else
    {
      own_bits = params->server_max_window_bits;
      self->compress_reset_each_message = params->server_no_context_takeover;
      self->inflate_reset_each_message = params->client_no_context_takeover;
    }
  if (own_bits == 0)
    own_bits = 15;

  /* zlib cannot make raw deflate with an 8-bit window (it uses 9, whose
   * distances a peer with a 256-byte window may refuse): for 8, stored
   * blocks, which refer back to nothing. */
  if (own_bits == 8)
    {
      own_bits = 9;
      level = Z_NO_COMPRESSION;
    }

  memset (&self->deflater, 0, sizeof self->deflater);
  memset (&self->inflater, 0, sizeof self->inflater);
  if (deflateInit2 (&self->deflater, level, Z_DEFLATED, -(int) own_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    {
      g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                           _("permessage-deflate: zlib cannot start a compressor"));
      return FALSE;
    }
  self->deflater_ready = TRUE;

  /* The largest window inflates whatever window the peer used. */
  if (inflateInit2 (&self->inflater, -15) != Z_OK)
    {
      end_zlib (self);
      g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                           _("permessage-deflate: zlib cannot start a decompressor"));
      return FALSE;
    }
  self->inflater_ready = TRUE;
  return TRUE;
}

/* Ends the message being received, keeping the window unless it must not. */
static void
end_incoming_message (SondeDeflateExtension *self,
                      gboolean               force_reset)
{
  if (force_reset || self->inflate_reset_each_message)
    inflateReset (&self->inflater);
  self->receiving = FALSE;
  self->received_total = 0;
}

/* Inflates @len bytes at @data onto @out, growing it by at most
 * INFLATE_CHUNK between two checks of the message's total against the
 * limit. */
static gboolean
inflate_into (SondeDeflateExtension  *self,
              const guint8           *data,
              gsize                   len,
              GByteArray             *out,
              GError                **error)
{
  z_stream *z = &self->inflater;
  guint64 limit = self->max_message_size != 0 ? MIN (self->max_message_size, LARGEST_MESSAGE) : LARGEST_MESSAGE;
  gsize left = len;

  z->avail_in = 0;
  for (;;)
    {
      guint before = out->len;
      gsize produced;
      int ret;

      /* zlib takes at most a uInt of input at a time. */
      if (z->avail_in == 0 && left > 0)
        {
          z->next_in = (Bytef *) data + (len - left);
          z->avail_in = (uInt) MIN (left, (gsize) G_MAXUINT32);
          left -= z->avail_in;
        }

      g_byte_array_set_size (out, before + INFLATE_CHUNK);
      z->next_out = out->data + before;
      z->avail_out = INFLATE_CHUNK;
      ret = inflate (z, Z_SYNC_FLUSH);
      produced = INFLATE_CHUNK - z->avail_out;
      g_byte_array_set_size (out, before + produced);
      self->received_total += produced;

      if (self->received_total > limit)
        {
          g_autofree char *limit_text = sonde_format_size (limit);
          g_autofree char *reached = sonde_format_size (self->received_total);

          self->limit_reached = self->received_total;
          end_incoming_message (self, TRUE);
          g_set_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                       _("Message too big: a compressed message inflated past the %s limit (stopped at %s)"),
                       limit_text, reached);
          return FALSE;
        }

      switch (ret)
        {
        case Z_OK:
          break;
        case Z_STREAM_END:
          /* A block with BFINAL set: what follows starts a new stream. */
          inflateReset (z);
          break;
        case Z_BUF_ERROR:
          /* No progress possible: this slice of the input is used up. */
          if (left == 0)
            return TRUE;
          break;
        default:
          {
            g_autofree char *why = g_strdup (z->msg != NULL ? z->msg : zError (ret));

            end_incoming_message (self, TRUE);
            g_set_error (error, SOUP_WEBSOCKET_ERROR,
                         ret == Z_MEM_ERROR ? SOUP_WEBSOCKET_CLOSE_SERVER_ERROR : SOUP_WEBSOCKET_CLOSE_BAD_DATA,
                         _("A compressed message does not inflate: %s"), why);
            return FALSE;
          }
        }

      /* All input read and room left over: nothing is pending. */
      if (z->avail_in == 0 && left == 0 && z->avail_out > 0)
        return TRUE;
    }
}

/* The vfuncs ------------------------------------------------------------ */

static gboolean
sonde_deflate_extension_configure (SoupWebsocketExtension      *extension,
                                   SoupWebsocketConnectionType  connection_type,
                                   GHashTable                  *params,
                                   GError                     **error)
{
  SondeDeflateExtension *self = SONDE_DEFLATE_EXTENSION (extension);
  gboolean is_response = connection_type == SOUP_WEBSOCKET_CONNECTION_CLIENT;
  Params parsed;

  if (!parse_params (params, is_response, TRUE, &parsed, error))
    return FALSE;
  return start_zlib (self, connection_type, &parsed, error);
}

static char *
sonde_deflate_extension_get_request_params (SoupWebsocketExtension *extension)
{
  return g_strdup (&OFFER[sizeof EXTENSION_NAME - 1]);
}

/* The server's answer to the offer it was configured with: it takes every
 * parameter offered, and answers a client window only when one was given. */
static char *
sonde_deflate_extension_get_response_params (SoupWebsocketExtension *extension)
{
  SondeDeflateExtension *self = SONDE_DEFLATE_EXTENSION (extension);
  GString *answer = g_string_new (NULL);

  if (self->params.server_no_context_takeover)
    g_string_append (answer, "; server_no_context_takeover");
  if (self->params.client_no_context_takeover)
    g_string_append (answer, "; client_no_context_takeover");
  if (self->params.server_max_window_bits != 0)
    g_string_append_printf (answer, "; server_max_window_bits=%u", self->params.server_max_window_bits);
  if (self->params.client_max_window_bits != 0)
    g_string_append_printf (answer, "; client_max_window_bits=%u", self->params.client_max_window_bits);

  if (answer->len == 0)
    {
      g_string_free (answer, TRUE);
      return NULL;
    }
  return g_string_free (answer, FALSE);
}

static GBytes *
sonde_deflate_extension_process_outgoing_message (SoupWebsocketExtension  *extension,
                                                  guint8                  *header,
                                                  GBytes                  *payload,
                                                  GError                 **error)
{
  SondeDeflateExtension *self = SONDE_DEFLATE_EXTENSION (extension);
  g_autoptr(GBytes) input = payload;
  g_autoptr(GByteArray) out = NULL;
  z_stream *z = &self->deflater;
  gsize len = 0;
  const guint8 *data;
  int ret;

  if (!self->deflater_ready || (header[0] & HEADER_CONTROL) != 0)
    return g_steal_pointer (&input);

  data = g_bytes_get_data (input, &len);
  if (len > LARGEST_MESSAGE)
    {
      g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                           _("permessage-deflate: zlib could not compress a message"));
      return NULL;
    }
  header[0] |= HEADER_RSV1;

  /* zlib writes nothing for a flush right after a flush: an empty message
   * is an empty stored block (RFC 7692 section 7.2.3.6), whose 00 00 ff ff
   * the receiver adds back. */
  if (len == 0)
    return g_bytes_new_static ("\x00", 1);

  out = g_byte_array_new ();
  z->next_in = (Bytef *) data;
  z->avail_in = (uInt) len;

  /* A sync flush ends the output on a byte boundary with an empty stored
   * block, 00 00 ff ff, which RFC 7692 has the sender remove. */
  do
    {
      guint before = out->len;
      guint room = before == 0 ? (guint) deflateBound (z, len) + 16 : before;

      g_byte_array_set_size (out, before + room);
      z->next_out = out->data + before;
      z->avail_out = room;
      ret = deflate (z, Z_SYNC_FLUSH);
      g_byte_array_set_size (out, before + room - z->avail_out);
    }
  while (ret == Z_OK && z->avail_out == 0);

  if ((ret != Z_OK && ret != Z_BUF_ERROR) || out->len < 4
      || memcmp (out->data + out->len - 4, "\x00\x00\xff\xff", 4) != 0)
    {
      deflateReset (z);
      header[0] &= ~HEADER_RSV1;
      g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
                           _("permessage-deflate: zlib could not compress a message"));
      return NULL;
    }
  g_byte_array_set_size (out, out->len - 4);

  if (self->compress_reset_each_message)
    deflateReset (z);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
sonde_deflate_extension_process_incoming_message (SoupWebsocketExtension  *extension,
                                                  guint8                  *header,
                                                  GBytes                  *payload,
                                                  GError                 **error)
{
  SondeDeflateExtension *self = SONDE_DEFLATE_EXTENSION (extension);
  g_autoptr(GBytes) input = payload;
  g_autoptr(GByteArray) out = NULL;
  gboolean fin = (header[0] & HEADER_FIN) != 0;
  gboolean rsv1 = (header[0] & HEADER_RSV1) != 0;
  guint opcode = header[0] & HEADER_OPCODE;
  const guint8 *data;
  gsize len = 0;

  /* Control frames are never compressed; RSV1 on one stays set, and libsoup
   * refuses the frame. */
  if (!self->inflater_ready || (header[0] & HEADER_CONTROL) != 0)
    return g_steal_pointer (&input);

  if (opcode != 0)
    {
      /* A new message: a half-received one before it is libsoup's protocol
       * error, but its inflate state must not leak into this one. */
      if (self->receiving)
        end_incoming_message (self, TRUE);
      if (!rsv1)
        return g_steal_pointer (&input);
      self->receiving = TRUE;
      self->received_total = 0;
    }
  else if (rsv1)
    {
      end_incoming_message (self, TRUE);
      g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                           _("permessage-deflate: a continuation frame has RSV1 set"));
      return NULL;
    }
  else if (!self->receiving)
    return g_steal_pointer (&input);

  data = g_bytes_get_data (input, &len);
  out = g_byte_array_new ();
  if (!inflate_into (self, data, len, out, error))
    return NULL;
  if (fin)
    {
      static const guint8 tail[] = { 0x00, 0x00, 0xff, 0xff };

      if (!inflate_into (self, tail, sizeof tail, out, error))
        return NULL;
      end_incoming_message (self, FALSE);
    }

  /* Cleared only once the frame inflated: after an error libsoup 3.2 keeps
   * the frame in its buffer and reads it again when more bytes come (the
   * peer's Close), and a frame cleared of RSV1 would then be delivered as
   * an uncompressed message. */
  header[0] &= ~HEADER_RSV1;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* GObject ----------------------------------------------------------------- */

static void
sonde_deflate_extension_finalize (GObject *object)
{
  end_zlib (SONDE_DEFLATE_EXTENSION (object));

  G_OBJECT_CLASS (sonde_deflate_extension_parent_class)->finalize (object);
}

static void
sonde_deflate_extension_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  SondeDeflateExtension *self = SONDE_DEFLATE_EXTENSION (object);

  switch (prop_id)
    {
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->max_message_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_deflate_extension_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  SondeDeflateExtension *self = SONDE_DEFLATE_EXTENSION (object);

  switch (prop_id)
    {
    case PROP_MAX_MESSAGE_SIZE:
      self->max_message_size = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_deflate_extension_class_init (SondeDeflateExtensionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SoupWebsocketExtensionClass *extension_class = SOUP_WEBSOCKET_EXTENSION_CLASS (klass);

  object_class->finalize = sonde_deflate_extension_finalize;
  object_class->get_property = sonde_deflate_extension_get_property;
  object_class->set_property = sonde_deflate_extension_set_property;

  extension_class->name = EXTENSION_NAME;
  extension_class->configure = sonde_deflate_extension_configure;
  extension_class->get_request_params = sonde_deflate_extension_get_request_params;
  extension_class->get_response_params = sonde_deflate_extension_get_response_params;
  extension_class->process_outgoing_message = sonde_deflate_extension_process_outgoing_message;
  extension_class->process_incoming_message = sonde_deflate_extension_process_incoming_message;

  /* The largest inflated message, in bytes; 0 for no limit. */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sonde_deflate_extension_init (SondeDeflateExtension *self)
{
}

/* Public API ------------------------------------------------------------ */

SoupWebsocketExtension *
sonde_deflate_extension_new (guint64 max_message_size)
{
  return g_object_new (SONDE_TYPE_DEFLATE_EXTENSION,
                       "max-message-size", max_message_size,
                       NULL);
}

guint64
sonde_deflate_extension_get_limit_reached (SondeDeflateExtension *self)
{
  g_return_val_if_fail (SONDE_IS_DEFLATE_EXTENSION (self), 0);

  return self->limit_reached;
}

const char *
sonde_deflate_extension_get_offer (void)
{
  return OFFER;
}

gboolean
sonde_deflate_extension_configure_from_response (SondeDeflateExtension  *self,
                                                 const char             *offer,
                                                 const char             *response,
                                                 GError                **error)
{
  g_autoptr(GHashTable) offered = NULL;
  g_autoptr(GHashTable) answered = NULL;
  Params parsed;

  g_return_val_if_fail (SONDE_IS_DEFLATE_EXTENSION (self), FALSE);
  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  offered = parse_element (offer != NULL ? offer : OFFER, error);
  if (offered == NULL)
    return FALSE;
  answered = parse_element (response, error);
  if (answered == NULL)
    return FALSE;
  if (!parse_params (answered, TRUE, g_hash_table_contains (offered, "client_max_window_bits"),
                     &parsed, error))
    return FALSE;

  return start_zlib (self, SOUP_WEBSOCKET_CONNECTION_CLIENT, &parsed, error);
}
