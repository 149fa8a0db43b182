/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IRC message parse and serialize rates, against a plain strtok-style
 * parser and a memcpy serializer as the floor (no allocation, no tag
 * unescaping, no validation). One line per benchmark on stdout,
 * "NAME ops_per_sec=N bytes_per_sec=N", as the other micro-benchmarks. */

#include <stdlib.h>
#include <string.h>

#include <weft-irc/weft-irc.h>

/* What a client on a busy IRCv3 network receives. */
static const char *const lines[] = {
  "@time=2026-12-05T02:10:00.123Z;msgid=Jq3vY7kB2xLmR8sT;account=alice "
  ":alice!~alice@user/alice/host.example.org PRIVMSG #weft :did anyone try the new reactor on the glib backend?",
  "@time=2026-12-05T02:10:01.456Z;msgid=Kp4wZ8lC3yMnS9tU;account=bob;+draft/reply=Jq3vY7kB2xLmR8sT "
  ":bob!~bob@2001:db8::1 PRIVMSG #weft :yes, the GTK demo runs on it without a hitch",
  "@time=2026-12-05T02:10:02.789Z;msgid=Lq5xA9mD4zNoT0uV;account=carol "
  ":carol!carol@gateway/web/cloak.example.net JOIN #weft carol :Carol Example",
  "@time=2026-12-05T02:10:03.012Z;batch=ref1;msgid=Mr6yB0nE5aOpU1vW "
  ":dave!~d@host-203-0-113-7.example.com NOTICE #weft :\x02reminder:\x02 meeting in \x03"
  "04ten\x03 minutes",
  "@time=2026-12-05T02:10:04.345Z;msgid=Ns7zC1oF6bPqV2wX :op!~op@staff.example.org MODE #weft +ov alice bob",
  "@time=2026-12-05T02:10:05.678Z :irc.example.org 353 me = #weft :@op +alice +bob carol dave erin frank",
  "@time=2026-12-05T02:10:06.901Z;msgid=Ot8aD2pG7cQrW3xY;account=erin "
  ":erin!~erin@erin.users.example.org PRIVMSG me :hey, got a minute? \xe2\x98\x95",
  "PING :irc.example.org",
};

#define N_LINES G_N_ELEMENTS (lines)

static gsize lines_bytes;
static volatile gsize sink;

/* The floor: split in place with strtok_r-style scanning into fixed arrays. */
typedef struct {
  char buffer[8192 + 512];
  const char *tag_keys[64], *tag_values[64];
  guint n_tags;
  const char *source, *verb;
  const char *params[16];
  guint n_params;
} FloorMessage;

static gboolean
floor_parse (FloorMessage *m, const char *line)
{
  gsize len = strlen (line);
  char *p, *save = NULL, *word;

  if (len >= sizeof m->buffer)
    return FALSE;
  memcpy (m->buffer, line, len + 1);
  p = m->buffer;
  m->n_tags = m->n_params = 0;
  m->source = NULL;

  if (*p == '@')
    {
      char *tags = strtok_r (p + 1, " ", &save);
      char *tag_save = NULL;

      p = save;
      for (char *tag = strtok_r (tags, ";", &tag_save); tag != NULL && m->n_tags < 64;
           tag = strtok_r (NULL, ";", &tag_save))
        {
          char *eq = strchr (tag, '=');

          if (eq != NULL)
            *eq++ = '\0';
          m->tag_keys[m->n_tags] = tag;
          m->tag_values[m->n_tags++] = eq != NULL ? eq : "";
        }
    }
  if (*p == ':')
    {
      m->source = strtok_r (p + 1, " ", &save);
      p = save;
    }
  m->verb = strtok_r (p, " ", &save);
  if (m->verb == NULL)
    return FALSE;
  while (save != NULL && *save != '\0' && m->n_params < 16)
    {
      if (*save == ':')
        {
          m->params[m->n_params++] = save + 1;
          break;
        }
      word = strtok_r (NULL, " ", &save);
      if (word == NULL)
        break;
      m->params[m->n_params++] = word;
    }
  return TRUE;
}

static gsize
floor_serialize (const FloorMessage *m, char *out, gsize size)
{
  char *o = out;

#define PUT(s)                                \
  do                                          \
    {                                         \
      gsize l_ = strlen (s);                  \
      if ((gsize) (o - out) + l_ + 2 >= size) \
        return 0;                             \
      memcpy (o, s, l_);                      \
      o += l_;                                \
    }                                         \
  while (0)

  if (m->n_tags > 0)
    {
      *o++ = '@';
      for (guint i = 0; i < m->n_tags; i++)
        {
          if (i > 0)
            *o++ = ';';
          PUT (m->tag_keys[i]);
          if (m->tag_values[i][0] != '\0')
            {
              *o++ = '=';
              PUT (m->tag_values[i]);
            }
        }
      *o++ = ' ';
    }
  if (m->source != NULL)
    {
      *o++ = ':';
      PUT (m->source);
      *o++ = ' ';
    }
  PUT (m->verb);
  for (guint i = 0; i < m->n_params; i++)
    {
      *o++ = ' ';
      if (i + 1 == m->n_params)
        *o++ = ':';
      PUT (m->params[i]);
    }
  *o = '\0';
#undef PUT
  return o - out;
}

typedef void (*BenchFunc) (guint n);

static void
bench_parse (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      WeftIrcMessage *message = weft_irc_message_parse (lines[i % N_LINES], -1, NULL);

      sink += weft_irc_message_get_n_params (message);
      weft_irc_message_unref (message);
    }
}

static WeftIrcMessage *parsed[N_LINES];

static void
bench_serialize (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      char *line = weft_irc_message_to_string (parsed[i % N_LINES], NULL);

      sink += line[0];
      g_free (line);
    }
}

static void
bench_round_trip (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      WeftIrcMessage *message = weft_irc_message_parse (lines[i % N_LINES], -1, NULL);
      char *line = weft_irc_message_to_string (message, NULL);

      sink += line[0];
      g_free (line);
      weft_irc_message_unref (message);
    }
}

static void
bench_floor_parse (guint n)
{
  static FloorMessage m;

  for (guint i = 0; i < n; i++)
    {
      floor_parse (&m, lines[i % N_LINES]);
      sink += m.n_params;
    }
}

static FloorMessage floor_parsed[N_LINES];

static void
bench_floor_serialize (guint n)
{
  static char out[8192 + 512];

  for (guint i = 0; i < n; i++)
    sink += floor_serialize (&floor_parsed[i % N_LINES], out, sizeof out);
}

static void
bench_format_parse (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i % N_LINES];
      const char *text = strrchr (line, ':');
      WeftIrcFormattedText *formatted = weft_irc_formatted_text_parse (text + 1, -1);

      sink += weft_irc_formatted_text_get_n_spans (formatted);
      weft_irc_formatted_text_unref (formatted);
    }
}

static void
run (const char *name, BenchFunc func, double seconds)
{
  const guint batch = 8 * N_LINES * 100;
  guint64 ops = 0;
  gint64 start, elapsed;
  double rate;

  func (batch); /* warm up */
  start = g_get_monotonic_time ();
  do
    {
      func (batch);
      ops += batch;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < seconds * G_USEC_PER_SEC);

  rate = ops * (double) G_USEC_PER_SEC / elapsed;
  g_print ("%s ops_per_sec=%.0f bytes_per_sec=%.0f\n", name, rate, rate * lines_bytes / N_LINES);
}

int
main (int argc, char **argv)
{
  gboolean smoke = FALSE;
  double seconds = 1.0;
  GOptionEntry entries[] = {
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "Run each benchmark briefly (a check that it works)", NULL },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "How long to run each benchmark (default 1)", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- IRC message parse and serialize rates");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (smoke)
    seconds = 0.02;

  for (guint i = 0; i < N_LINES; i++)
    {
      g_autofree char *again = NULL;

      lines_bytes += strlen (lines[i]);
      parsed[i] = weft_irc_message_parse (lines[i], -1, &error);
      g_assert_no_error (error);
      again = weft_irc_message_to_string (parsed[i], &error);
      g_assert_no_error (error);
      g_assert_true (floor_parse (&floor_parsed[i], lines[i]));
      g_assert_cmpstr (floor_parsed[i].verb, ==, weft_irc_message_get_verb (parsed[i]));
      g_assert_cmpuint (floor_parsed[i].n_params, ==, weft_irc_message_get_n_params (parsed[i]));
    }

  run ("irc/parse", bench_parse, seconds);
  run ("irc/serialize", bench_serialize, seconds);
  run ("irc/parse-serialize", bench_round_trip, seconds);
  run ("irc/format-parse", bench_format_parse, seconds);
  run ("floor/strtok-parse", bench_floor_parse, seconds);
  run ("floor/memcpy-serialize", bench_floor_serialize, seconds);

  for (guint i = 0; i < N_LINES; i++)
    weft_irc_message_unref (parsed[i]);
  return EXIT_SUCCESS;
}
