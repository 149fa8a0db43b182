/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <weft/weft.h>

G_BEGIN_DECLS

/* The conformance suite runs every case once per backend, in the spirit of
 * Twisted's ReactorBuilder: the fixture builds the reactor for the backend in
 * the test path, and its teardown checks that the reactor leaves nothing
 * behind (timers, watches, file descriptors, references).
 */

typedef struct _ConformanceFixture ConformanceFixture;
typedef void (*ConformanceFunc) (ConformanceFixture *f);

typedef enum {
  /* The default: a fresh GMainContext that nothing else touches. */
  CONFORMANCE_FRESH_CONTEXT = 0,
  /* GLib sources, GIO and GTK attach to the default main context. */
  CONFORMANCE_DEFAULT_CONTEXT = 1 << 0,
  CONFORMANCE_NO_GLIB_HOSTING = 1 << 1,
} ConformanceCaseFlags;

typedef struct {
  const char *path; /* "<area>/<case>" */
  ConformanceFunc func;
  ConformanceCaseFlags flags;
  /* Optional one-time warm-up run before the fixture counts open fds, for
   * libraries that keep fds open for the rest of the process. */
  void (*prepare) (void);
} ConformanceCase;

struct _ConformanceFixture {
  const char *backend;
  const ConformanceCase *test_case;
  char *path;
  gboolean started;
  GMainContext *context; /* NULL for the default context */
  WeftReactor *reactor;  /* a case may finalize it early: see conformance_finalize_reactor() */
  GThread *reactor_thread;
  guint n_fds_at_start;

  GMutex watchdog_mutex;
  GCond watchdog_cond;
  gboolean watchdog_done;
  GThread *watchdog;
};

/* NULL-terminated tables, one per area. */
extern const ConformanceCase conformance_timer_cases[];
extern const ConformanceCase conformance_soon_cases[];
extern const ConformanceCase conformance_watch_cases[];
extern const ConformanceCase conformance_loop_cases[];
extern const ConformanceCase conformance_glib_cases[];
extern const ConformanceCase conformance_gtk_cases[];
extern const ConformanceCase conformance_udp_cases[];
extern const ConformanceCase conformance_lifecycle_cases[];
extern const ConformanceCase conformance_tcp_cases[];
extern const ConformanceCase conformance_unix_cases[];
extern const ConformanceCase conformance_endpoint_cases[];
extern const ConformanceCase conformance_process_cases[];
extern const ConformanceCase conformance_tls_cases[];
extern const ConformanceCase conformance_async_cases[];
extern const ConformanceCase conformance_file_cases[];
extern const ConformanceCase conformance_gtk_application_cases[];
extern const ConformanceCase conformance_backpressure_cases[];

/* Runs every case of TABLES on every backend, each in a child process of
 * its own; the main () of each conformance program (the core's, and each
 * library's) calls this. */
int conformance_main (int argc, char **argv, const ConformanceCase *const *tables, guint n_tables);

guint conformance_count_open_fds (void);
void conformance_finalize_reactor (ConformanceFixture *f);
void conformance_iterate_nonblocking (ConformanceFixture *f, guint n_iterations);
void conformance_iterate_until (ConformanceFixture *f, const guint *counter, guint target);
void conformance_drain_default_context (void);

void conformance_pipe (int fds[2]);
void conformance_pipe_onto (int fds[2], int read_fd_number);
void conformance_socketpair (int fds[2]);
void conformance_write_byte (int fd);
gsize conformance_fill (int fd);
gsize conformance_drain (int fd);
void conformance_close (int *fd);

void conformance_stop_cb (gpointer reactor);
void conformance_assert_condition (WeftWatch *watch, WeftIOCondition condition);

/* Counts runs and notifies of a WeftCallback whose data is the counter. */
typedef struct {
  guint ran;
  guint notified;
} ConformanceCounter;

void conformance_counter_cb (gpointer counter);
void conformance_counter_notify (gpointer counter);

/* A watch that records what it sees. Zero-initialize, then add. */
typedef struct {
  ConformanceFixture *f;
  WeftWatch *watch;
  int fd;
  guint n_calls;
  guint n_notified;
  WeftIOCondition last;
  WeftIOCondition seen;
  gboolean drain;
  guint stop_after; /* stop the reactor after this many calls; 0: never */
} ConformanceProbe;

void conformance_probe_add (ConformanceProbe *probe, ConformanceFixture *f, int fd, WeftIOCondition events);
void conformance_probe_remove (ConformanceProbe *probe);

#ifdef HAVE_GTK
void conformance_gtk_warm_up (void);
#endif

G_END_DECLS
