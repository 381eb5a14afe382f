/* test-csv-export.c: records written as CSV, read back by Python's csv
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "sonde-csv-writer.h"
#include "sonde-error.h"

/* 2026-12-06T04:14:17.000001Z */
#define T0 G_GINT64_CONSTANT (1796530457000001)

typedef struct {
  SondeDirection    direction;
  SondeMessageKind  kind;
  gint64            wall_us;
  const char       *data;
  gsize             size;
} Input;

static const guint8 binary[] = { 0x00, 0xff, 0x10, ',', '"', '\n' };

static const Input inputs[] = {
  { SONDE_DIRECTION_EVENT, SONDE_MESSAGE_KIND_OPEN, T0, "{\"protocol\":null,\"extensions\":\"a, b\"}", 37 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, T0 + 1, "{\"price\":101.25,\"sym\":\"A,\\\"B\\\"\",\"n\":{\"x\":true}}", 0 },
  { SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, T0 + 999999, "line one\r\nline \"two\"\nthree,\rfour", 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, T0 + 1000000, "", 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, T0 + 1000001, "  spaces, “quotes” ✓ ", 0 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_BINARY, T0 + 1000002, (const char *) binary, sizeof binary },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PING, T0 + 1000003, "hi", 2 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_PONG, T0 + 1000004, "\xff", 1 },
  { SONDE_DIRECTION_IN, SONDE_MESSAGE_KIND_TEXT, T0 + 1000005, "[1,2]", 0 },
  { SONDE_DIRECTION_OUT, SONDE_MESSAGE_KIND_TEXT, T0 + 1000006, "cr\ronly", 0 },
};

/* Each row as Python's csv module reads the file: header first. */
static const char * const expected[][9] = {
  { "time", "direction", "kind", "size", "text", "base64", "$.price", "$.sym", "$.n" },
  { "2026-12-06T04:14:17.000001Z", "event", "open", "37", "{\"protocol\":null,\"extensions\":\"a, b\"}", "", "", "", "" },
  { "2026-12-06T04:14:17.000002Z", "in", "text", "47", "{\"price\":101.25,\"sym\":\"A,\\\"B\\\"\",\"n\":{\"x\":true}}", "", "101.25", "A,\"B\"", "" },
  { "2026-12-06T04:14:18.000000Z", "out", "text", "32", "line one\r\nline \"two\"\nthree,\rfour", "", "", "", "" },
  { "2026-12-06T04:14:18.000001Z", "in", "text", "0", "", "", "", "", "" },
  { "2026-12-06T04:14:18.000002Z", "in", "text", "27", "  spaces, “quotes” ✓ ", "", "", "", "" },
  { "2026-12-06T04:14:18.000003Z", "in", "binary", "6", "", "AP8QLCIK", "", "", "" },
  { "2026-12-06T04:14:18.000004Z", "in", "ping", "2", "hi", "", "", "", "" },
  { "2026-12-06T04:14:18.000005Z", "in", "pong", "1", "", "/w==", "", "", "" },
  { "2026-12-06T04:14:18.000006Z", "in", "text", "5", "[1,2]", "", "", "", "" },
  { "2026-12-06T04:14:18.000007Z", "out", "text", "7", "cr\ronly", "", "", "", "" },
};

static const char reader_script[] =
  "import csv, json, sys\n"
  "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
  "    rows = list(csv.reader(f, strict=True))\n"
  "print(json.dumps(rows))\n";

static GBytes *
write_csv (const char * const *paths)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeCsvWriter) writer = sonde_csv_writer_new (out, paths, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      SondeRecord record = { 0 };

      record.seq = i;
      record.wall_us = inputs[i].wall_us;
      record.direction = inputs[i].direction;
      record.kind = inputs[i].kind;
      record.size = inputs[i].size ? inputs[i].size : strlen (inputs[i].data);
      record.stored_size = record.size;
      record.data = (const guint8 *) inputs[i].data;
      g_assert_true (sonde_csv_writer_add (writer, &record, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (sonde_csv_writer_finish (writer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
test_python_reads_it (void)
{
  const char * const paths[] = { "$.price", "$.sym", "$.n", NULL };
  g_autoptr(GBytes) csv = write_csv (paths);
  g_autoptr(GError) error = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *argv[] = { "/usr/bin/python3", "-c", reader_script, NULL, NULL };
  JsonArray *rows;
  int fd;
  int status;

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /usr/bin/python3");
      return;
    }

  fd = g_file_open_tmp ("test-csv-XXXXXX.csv", &csv_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (csv_path, g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), &error));
  argv[3] = csv_path;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &stdout_text, &stderr_text, &status, &error));
  g_assert_no_error (error);
  g_remove (csv_path);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("python3 failed: %s", stderr_text);

  g_assert_true (json_parser_load_from_data (parser, stdout_text, -1, &error));
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);

      g_assert_cmpuint (json_array_get_length (row), ==, 9);
      for (guint j = 0; j < 9; j++)
        g_assert_cmpstr (json_array_get_string_element (row, j), ==, expected[i][j]);
    }
}

/* The bytes themselves: CRLF row ends, quotes only where needed. */
static void
test_bytes (void)
{
  g_autoptr(GBytes) csv = write_csv (NULL);
  g_autofree char *text = g_strndup (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));

  g_assert_true (g_str_has_prefix (text, "time,direction,kind,size,text,base64\r\n"
                                         "2026-12-06T04:14:17.000001Z,event,open,37,"
                                         "\"{\"\"protocol\"\":null,\"\"extensions\"\":\"\"a, b\"\"}\",\r\n"));
  g_assert_nonnull (strstr (text, "\r\n2026-12-06T04:14:18.000004Z,in,ping,2,hi,\r\n"));
  g_assert_nonnull (strstr (text, "\r\n2026-12-06T04:14:18.000006Z,in,text,5,\"[1,2]\",\r\n"));
  g_assert_true (g_str_has_suffix (text, "\r\n2026-12-06T04:14:18.000007Z,out,text,7,\"cr\ronly\",\r\n"));
}

static void
test_header_only (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  const char * const paths[] = { "$[\"a,b\"]", NULL };
  g_autoptr(SondeCsvWriter) writer = sonde_csv_writer_new (out, paths, &error);
  const char * const bad[] = { "$.", NULL };
  const char *header = "time,direction,kind,size,text,base64,\"$[\"\"a,b\"\"]\"\r\n";

  g_assert_true (sonde_csv_writer_finish (writer, NULL, &error));
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                   header, strlen (header));

  g_assert_null (sonde_csv_writer_new (out, bad, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PATH);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv-export/python-reads-it", test_python_reads_it);
  g_test_add_func ("/csv-export/bytes", test_bytes);
  g_test_add_func ("/csv-export/header-only", test_header_only);

  return g_test_run ();
}
