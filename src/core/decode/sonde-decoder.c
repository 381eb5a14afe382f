/* sonde-decoder.c: a decoder chain ("gzip,msgpack")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Byte stages inflate into a scratch buffer the chain keeps (no allocation
 * per payload once it has grown); the value stage, if any, writes JSON text.
 * A chain that ends with bytes hands them on as they are when they are
 * UTF-8 text (gzip-compressed JSON): the decoded view is that text.
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-decode-cbor.h"
#include "sonde-decode-msgpack.h"
#include "sonde-decode-protobuf.h"
#include "sonde-decode-zlib.h"
#include "sonde-decoder.h"
#include "sonde-proto-schema.h"

typedef enum {
  STAGE_GZIP,
  STAGE_ZLIB,
  STAGE_DEFLATE,
  STAGE_ZLIB_STREAM,
  STAGE_MSGPACK,
  STAGE_CBOR,
  STAGE_PROTOBUF_RAW,
  STAGE_PROTOBUF,
  STAGE_AUTO,
} Stage;

static const char * const stage_names[] = {
  "gzip", "zlib", "deflate", "zlib-stream", "msgpack", "cbor", "protobuf-raw", "protobuf", "auto",
};

G_STATIC_ASSERT (G_N_ELEMENTS (stage_names) == STAGE_AUTO + 1);

#define MAX_STAGES 8

struct _SondeDecoder
{
  gatomicrefcount    ref_count;
  char              *spec;
  Stage              stages[MAX_STAGES];
  guint              n_stages;
  SondeDecodeLimits  limits;
  SondeZlibStream   *stream;      /* the zlib-stream stage's context */
  SondeProtoSchema  *schema;
  char              *proto_type;
  GByteArray        *scratch[2];  /* byte stages write to one, read from the other */
};

static gboolean
is_byte_stage (Stage stage)
{
  return stage <= STAGE_ZLIB_STREAM;
}

static gboolean
parse_stage (const char *name,
             Stage      *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (stage_names); i++)
    if (g_str_equal (name, stage_names[i]))
      {
        *out = (Stage) i;
        return TRUE;
      }
  return FALSE;
}

SondeDecoder *
sonde_decoder_new (const char              *spec,
                   const char              *proto_descriptor,
                   const char              *proto_type,
                   const SondeDecodeLimits *limits,
                   GError                 **error)
{
  g_autoptr(SondeDecoder) self = g_new0 (SondeDecoder, 1);
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) normalized = g_string_new (NULL);
  gboolean value_stage = FALSE;

  g_return_val_if_fail (spec != NULL, NULL);

  g_atomic_ref_count_init (&self->ref_count);
  self->scratch[0] = g_byte_array_new ();
  self->scratch[1] = g_byte_array_new ();
  if (limits != NULL)
    self->limits = *limits;
  else
    sonde_decode_limits_init_default (&self->limits);

  parts = g_strsplit (spec, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *name = g_ascii_strdown (g_strstrip (parts[i]), -1);
      Stage stage;

      if (name[0] == '\0')
        continue;
      if (!parse_stage (name, &stage))
        {
          g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                       _("Unknown decoder “%s”: the decoders are gzip, zlib, deflate, zlib-stream, msgpack, "
                         "cbor, protobuf-raw, protobuf and auto"), name);
          return NULL;
        }
      if (value_stage)
        {
          g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                       _("“%s” comes after “%s”: a chain decodes bytes first, then at most one value format"),
                       name, stage_names[self->stages[self->n_stages - 1]]);
          return NULL;
        }
      if (stage == STAGE_AUTO && (self->n_stages > 0 || parts[i + 1] != NULL))
        {
          g_set_error_literal (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                               _("“auto” decodes on its own: it cannot be part of a chain"));
          return NULL;
        }
      if (self->n_stages == MAX_STAGES)
        {
          g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                       _("A decoder chain has at most %u stages"), MAX_STAGES);
          return NULL;
        }
      if (stage == STAGE_ZLIB_STREAM && self->stream != NULL)
        {
          g_set_error_literal (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                               _("A chain has one zlib-stream at most"));
          return NULL;
        }
      if (stage == STAGE_ZLIB_STREAM)
        self->stream = sonde_zlib_stream_new ();
      value_stage = !is_byte_stage (stage) && stage != STAGE_AUTO;
      self->stages[self->n_stages++] = stage;
      if (normalized->len > 0)
        g_string_append_c (normalized, ',');
      g_string_append (normalized, stage_names[stage]);
    }

  if (self->n_stages == 0)
    {
      g_set_error_literal (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA, _("No decoder given"));
      return NULL;
    }

  if (value_stage && self->stages[self->n_stages - 1] == STAGE_PROTOBUF)
    {
      if (proto_descriptor == NULL || proto_type == NULL)
        {
          g_set_error_literal (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                               _("“protobuf” needs a descriptor set (protoc -o FILE) and a message type"));
          return NULL;
        }
      self->schema = sonde_proto_schema_new_from_file (proto_descriptor, error);
      if (self->schema == NULL)
        return NULL;
      if (!sonde_proto_schema_has_type (self->schema, proto_type))
        {
          g_set_error (error, SONDE_DECODE_ERROR, SONDE_DECODE_ERROR_SCHEMA,
                       _("The descriptor set %s has no message type “%s”"), proto_descriptor, proto_type);
          return NULL;
        }
      self->proto_type = g_strdup (proto_type);
    }

  self->spec = g_string_free (g_steal_pointer (&normalized), FALSE);
  return g_steal_pointer (&self);
}

SondeDecoder *
sonde_decoder_ref (SondeDecoder *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_decoder_unref (SondeDecoder *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->spec);
  g_clear_pointer (&self->stream, sonde_zlib_stream_free);
  g_clear_pointer (&self->schema, sonde_proto_schema_free);
  g_free (self->proto_type);
  g_byte_array_unref (self->scratch[0]);
  g_byte_array_unref (self->scratch[1]);
  g_free (self);
}

const char *
sonde_decoder_get_spec (SondeDecoder *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->spec;
}

gboolean
sonde_decoder_is_stateful (SondeDecoder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->stream != NULL;
}

void
sonde_decoder_reset (SondeDecoder *self)
{
  g_return_if_fail (self != NULL);

  if (self->stream != NULL)
    {
      sonde_zlib_stream_free (self->stream);
      self->stream = sonde_zlib_stream_new ();
    }
}

static gboolean
inflate_stage (SondeDecoder  *self,
               Stage          stage,
               const guint8  *data,
               gsize          length,
               GByteArray    *out,
               GError       **error)
{
  g_byte_array_set_size (out, 0);
  switch (stage)
    {
    case STAGE_GZIP:
      return sonde_decode_gzip (data, length, &self->limits, out, error);
    case STAGE_ZLIB:
      return sonde_decode_zlib (data, length, &self->limits, out, error);
    case STAGE_DEFLATE:
      return sonde_decode_deflate (data, length, &self->limits, out, error);
    case STAGE_ZLIB_STREAM:
      if (!sonde_zlib_stream_feed (self->stream, data, length, &self->limits, out, error))
        return FALSE;
      /* Kept until the message that completes it: this one has no view. */
      if (sonde_zlib_stream_get_pending (self->stream) > 0)
        {
          sonde_decode_set_error (error, SONDE_DECODE_ERROR_TRUNCATED, "zlib-stream", length,
                                  _("no flush marker (00 00 FF FF) yet: the message goes on in the next one"));
          return FALSE;
        }
      return TRUE;
    case STAGE_MSGPACK:
    case STAGE_CBOR:
    case STAGE_PROTOBUF_RAW:
    case STAGE_PROTOBUF:
    case STAGE_AUTO:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
value_stage (SondeDecoder  *self,
             Stage          stage,
             const guint8  *data,
             gsize          length,
             GString       *json,
             GError       **error)
{
  switch (stage)
    {
    case STAGE_MSGPACK:
      return sonde_decode_msgpack (data, length, &self->limits, json, error);
    case STAGE_CBOR:
      return sonde_decode_cbor (data, length, &self->limits, json, error);
    case STAGE_PROTOBUF_RAW:
      return sonde_decode_protobuf_raw (data, length, &self->limits, json, error);
    case STAGE_PROTOBUF:
      return sonde_decode_protobuf (self->schema, self->proto_type, data, length, &self->limits, json, error);
    case STAGE_GZIP:
    case STAGE_ZLIB:
    case STAGE_DEFLATE:
    case STAGE_ZLIB_STREAM:
    case STAGE_AUTO:
    default:
      g_assert_not_reached ();
    }
}

/* Bytes that end a chain are its view when they are text. */
static gboolean
append_text (const guint8  *data,
             gsize          length,
             GString       *json,
             GError       **error)
{
  const char *end = NULL;

  if (!g_utf8_validate_len ((const char *) data, length, &end))
    {
      sonde_decode_set_error (error, SONDE_DECODE_ERROR_MALFORMED, _("text"),
                              (gsize) ((const guint8 *) end - data), _("the decoded bytes are not UTF-8 text"));
      return FALSE;
    }
  g_string_append_len (json, (const char *) data, (gssize) length);
  return TRUE;
}

static gboolean
looks_like_json (const guint8 *data,
                 gsize         length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')
        continue;
      return data[i] == '{' || data[i] == '[' || data[i] == '"';
    }
  return FALSE;
}

/* "auto": a compression header, then JSON text, MessagePack or CBOR. */
static gboolean
decode_auto (SondeDecoder  *self,
             const guint8  *data,
             gsize          length,
             GString       *json,
             GError       **error)
{
  const char *compression = NULL;

  if (sonde_decode_sniff_compression (data, length, &compression))
    {
      GByteArray *out = self->scratch[0];
      Stage stage = g_str_equal (compression, "gzip") ? STAGE_GZIP : STAGE_ZLIB;

      if (!inflate_stage (self, stage, data, length, out, error))
        return FALSE;
      data = out->data;
      length = out->len;
    }
  if (looks_like_json (data, length))
    return append_text (data, length, json, error);
  if (sonde_decode_sniff_msgpack (data, length))
    return sonde_decode_msgpack (data, length, &self->limits, json, error);
  if (sonde_decode_sniff_cbor (data, length))
    return sonde_decode_cbor (data, length, &self->limits, json, error);
  return append_text (data, length, json, error);
}

gboolean
sonde_decoder_decode (SondeDecoder  *self,
                      const guint8  *data,
                      gsize          length,
                      GString       *json,
                      GError       **error)
{
  gsize mark;
  guint which = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  mark = json->len;
  if (data == NULL)
    data = (const guint8 *) "";

  for (guint i = 0; i < self->n_stages; i++)
    {
      Stage stage = self->stages[i];
      gboolean ok;

      if (stage == STAGE_AUTO)
        ok = decode_auto (self, data, length, json, error);
      else if (is_byte_stage (stage))
        {
          GByteArray *out = self->scratch[which];

          ok = inflate_stage (self, stage, data, length, out, error);
          data = out->data != NULL ? out->data : (const guint8 *) "";
          length = out->len;
          which ^= 1;
          if (ok && i + 1 == self->n_stages)
            ok = append_text (data, length, json, error);
        }
      else
        ok = value_stage (self, stage, data, length, json, error);

      if (!ok)
        {
          g_string_truncate (json, mark);
          return FALSE;
        }
    }
  return TRUE;
}

/* What the payload of one message looks like, as a chain: "gzip", "zlib",
 * "zlib-stream", "msgpack", "cbor", or a compression and what it holds
 * ("gzip,msgpack"); NULL when it looks like JSON text already, or like
 * nothing Sonde knows. A guess, for proposing a decoder. */
char *
sonde_decoder_guess (const guint8 *data,
                     gsize         length)
{
  const char *compression = NULL;
  g_autoptr(SondeDecoder) inflater = NULL;
  GByteArray *out;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!sonde_decode_sniff_compression (data, length, &compression))
    {
      if (looks_like_json (data, length))
        return NULL;
      if (sonde_decode_sniff_msgpack (data, length))
        return g_strdup ("msgpack");
      if (sonde_decode_sniff_cbor (data, length))
        return g_strdup ("cbor");
      return NULL;
    }

  /* Discord's zlib-stream: a zlib header on the first message, each
   * message flushed with 00 00 FF FF, no stream end. */
  if (g_str_equal (compression, "zlib") && length >= 6 &&
      memcmp (data + length - 4, "\x00\x00\xff\xff", 4) == 0)
    return g_strdup ("zlib-stream");

  inflater = sonde_decoder_new (compression, NULL, NULL, NULL, NULL);
  if (inflater == NULL)
    return NULL;
  out = inflater->scratch[0];
  if (!inflate_stage (inflater, g_str_equal (compression, "gzip") ? STAGE_GZIP : STAGE_ZLIB, data, length, out, NULL))
    return NULL;
  if (looks_like_json (out->data, out->len))
    return g_strdup (compression);
  if (sonde_decode_sniff_msgpack (out->data, out->len))
    return g_strconcat (compression, ",msgpack", NULL);
  if (sonde_decode_sniff_cbor (out->data, out->len))
    return g_strconcat (compression, ",cbor", NULL);
  return g_strdup (compression);
}

/* A chain in words, for the window: "gzip-compressed JSON", "MessagePack",
 * "zlib-compressed MessagePack"… (translated). */
char *
sonde_decoder_describe (const char *spec)
{
  g_auto(GStrv) parts = NULL;
  const char *compression = NULL;
  const char *value = NULL;

  g_return_val_if_fail (spec != NULL, NULL);

  parts = g_strsplit (spec, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);

      if (g_str_equal (part, "gzip") || g_str_equal (part, "zlib") || g_str_equal (part, "deflate") ||
          g_str_equal (part, "zlib-stream"))
        compression = part;
      else
        value = part;
    }

  if (value == NULL && compression == NULL)
    return g_strdup (spec);
  if (value != NULL && g_str_equal (value, "auto"))
    return g_strdup (_("whatever they look like (auto)"));
  if (value != NULL)
    value = g_str_equal (value, "msgpack") ? "MessagePack"
          : g_str_equal (value, "cbor") ? "CBOR"
          : g_str_equal (value, "protobuf-raw") ? _("Protocol Buffers (raw)")
          : g_str_equal (value, "protobuf") ? "Protocol Buffers"
          : value;
  if (compression == NULL)
    return g_strdup (value);
  /* Translators: "gzip-compressed JSON", "zlib-stream-compressed MessagePack". */
  return g_strdup_printf (_("%s-compressed %s"), compression, value != NULL ? value : "JSON");
}

gboolean
sonde_decoder_applies (SondeDecoder *self,
                       gboolean      received,
                       gboolean      binary)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!received)
    return FALSE;
  return binary || !sonde_decoder_is_stateful (self);
}
