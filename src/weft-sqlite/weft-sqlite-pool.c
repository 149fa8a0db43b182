/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A SQLite database served by threads: one writer, a few readers.
 *
 * Work is a refcounted Job pushed on the writer's queue or the readers'
 * shared queue. A worker runs it on its own connection and hands it back to
 * the reactor's thread through the pool's Delivery (weft-sqlite-delivery.c),
 * where its deferred fires. The writer's queue and the Delivery take no
 * lock (weft-sqlite-queue.c): the reactor's thread never waits for the writer,
 * whatever the writer is doing or however long it is kept off a CPU. The
 * pool's lock guards what cancelling and opening share with the workers:
 * a job's state and worker (so that cancelling can interrupt the right
 * connection), and the open state. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-sqlite-delivery-private.h"
#include "weft-sqlite-private.h"
#include "weft-sqlite-queue-private.h"

#define DEFAULT_N_READERS 2
#define DEFAULT_BUSY_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define DEFAULT_CLOSE_TIMEOUT_US (5 * G_USEC_PER_SEC)

typedef enum {
  JOB_OPEN,
  JOB_QUERY,
  JOB_OPERATION,
  JOB_INTERACTION,
  JOB_STOP,
} JobKind;

typedef enum {
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_FINISHED,
  JOB_CANCELLED,
} JobState;

typedef enum {
  POOL_NEW,
  POOL_OPENING,
  POOL_OPEN,
  POOL_FAILED,
} OpenState;

typedef struct _Worker Worker;

typedef struct {
  WeftSqliteLink link; /* in the writer's queue, or the Delivery */
  JobKind kind;
  JobState state; /* under the pool's lock */
  Worker *worker; /* while running, under the pool's lock */
  char *sql;
  GVariant *params;
  WeftSqliteInteractionFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  WeftDeferred *deferred;

  GListModel *rows;
  WeftSqliteChanges changes;
  WeftResult *result;
  GError *error;
} Job;

#define JOB_OF_LINK(l) ((Job *) (l))

struct _Worker {
  WeftSqlitePool *pool; /* the pool joins its workers before it goes */
  GThread *thread;
  GAsyncQueue *queue;               /* readers */
  WeftSqliteConnection *connection; /* set and cleared under the pool's lock */
  gint cancel_current;              /* atomic: the running job was cancelled */
  gboolean writer;
  Job *open_job;
};

struct _WeftSqlitePool {
  GObject parent_instance;

  WeftReactor *reactor;
  char *path;
  guint n_readers;
  WeftSqliteSynchronous synchronous;
  gint64 busy_timeout_us;
  gint64 close_timeout_us;
  GPtrArray *migrations;

  GMutex lock;
  GCond opened_cond;
  OpenState open_state; /* under lock */
  GError *open_error;   /* under lock */
  gint stop;            /* atomic: skip queued work, stop waiting on locks */

  /* The reactor's thread only. */
  gboolean started;
  gboolean closing;
  gboolean closed;
  WeftSqliteQueue write_queue; /* consumed by the writer; from opening on */
  GAsyncQueue *read_queue;
  GPtrArray *workers;
  GThread *joiner;
  WeftDelayedCall *close_timer;
  GPtrArray *close_waiters;
  guint trigger_id;
  WeftSqliteDelivery *delivery; /* from opening on */
};

enum {
  PROP_0,
  PROP_REACTOR,
  PROP_PATH,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WeftSqlitePool, weft_sqlite_pool, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (WeftSqliteSynchronous,
                    weft_sqlite_synchronous,
                    G_DEFINE_ENUM_VALUE (WEFT_SQLITE_SYNCHRONOUS_OFF, "off"),
                    G_DEFINE_ENUM_VALUE (WEFT_SQLITE_SYNCHRONOUS_NORMAL, "normal"),
                    G_DEFINE_ENUM_VALUE (WEFT_SQLITE_SYNCHRONOUS_FULL, "full"))

static WeftSqliteChanges *
changes_copy (const WeftSqliteChanges *changes)
{
  return g_memdup2 (changes, sizeof *changes);
}

G_DEFINE_BOXED_TYPE (WeftSqliteChanges, weft_sqlite_changes, changes_copy, g_free)

/* Jobs */

static void
job_clear (gpointer data)
{
  Job *job = data;

  if (job->destroy != NULL)
    job->destroy (job->user_data);
  g_free (job->sql);
  g_clear_pointer (&job->params, g_variant_unref);
  g_clear_object (&job->deferred);
  g_clear_object (&job->rows);
  g_clear_pointer (&job->result, weft_result_free);
  g_clear_error (&job->error);
}

static Job *
job_new (JobKind kind)
{
  Job *job = g_atomic_rc_box_new0 (Job);

  job->kind = kind;
  job->state = JOB_QUEUED;
  return job;
}

static Job *
job_ref (Job *job)
{
  return g_atomic_rc_box_acquire (job);
}

static void
job_unref (gpointer job)
{
  g_atomic_rc_box_release_full (job, job_clear);
}

/* In the reactor's thread. */
static void
job_deliver (gpointer data)
{
  Job *job = data;
  GDestroyNotify destroy = g_steal_pointer (&job->destroy);
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&job->deferred);

  /* The deferred goes here, not with the job: a worker may drop the job's
   * last reference, and deferreds live in the reactor's thread. */
  job->deferred = deferred;
  if (job->deferred != NULL && job->state != JOB_CANCELLED)
    {
      if (job->error != NULL)
        weft_deferred_errback (job->deferred, g_steal_pointer (&job->error));
      else
        switch (job->kind)
          {
          case JOB_QUERY:
            weft_deferred_callback_object (job->deferred, job->rows);
            break;
          case JOB_OPERATION:
            weft_deferred_callback_boxed (job->deferred, WEFT_SQLITE_TYPE_CHANGES, &job->changes);
            break;
          case JOB_INTERACTION:
            weft_deferred_callback_result (job->deferred, job->result);
            break;
          case JOB_OPEN:
          case JOB_STOP:
          default:
            weft_deferred_callback_none (job->deferred);
            break;
          }
    }
  job->deferred = NULL;
  /* Interaction data goes in the reactor's thread, after the result. */
  if (destroy != NULL)
    destroy (job->user_data);
}

/* How the Delivery hands a job over and lets it go. */
static void
job_deliver_link (WeftSqliteLink *link)
{
  job_deliver (JOB_OF_LINK (link));
}

static void
job_unref_link (WeftSqliteLink *link)
{
  job_unref (JOB_OF_LINK (link));
}

/* In any thread. */
static void
job_finish (WeftSqlitePool *self, Job *job)
{
  _weft_sqlite_delivery_push (self->delivery, &job_ref (job)->link);
}

/* In any thread. */
static void
write_queue_push (WeftSqlitePool *self, Job *job)
{
  if (_weft_sqlite_queue_push (&self->write_queue, &job->link))
    _weft_sqlite_queue_ring (&self->write_queue);
}

typedef struct {
  WeftSqlitePool *pool; /* a reference: a deferred may outlive its caller's */
  Job *job;
} CancelData;

static void
cancel_data_free (gpointer data)
{
  CancelData *cancel = data;

  job_unref (cancel->job);
  g_object_unref (cancel->pool);
  g_free (cancel);
}

static void
job_cancel (WeftDeferred *deferred, gpointer data)
{
  CancelData *cancel = data;
  Job *job = cancel->job;
  GDestroyNotify destroy = NULL;

  g_mutex_lock (&cancel->pool->lock);
  if (job->state == JOB_QUEUED)
    {
      /* It never runs; its worker drops it when it comes up. */
      job->state = JOB_CANCELLED;
      destroy = g_steal_pointer (&job->destroy);
    }
  else if (job->state == JOB_RUNNING && job->worker != NULL && job->worker->connection != NULL)
    {
      g_atomic_int_set (&job->worker->cancel_current, 1);
      sqlite3_interrupt (job->worker->connection->db);
    }
  g_mutex_unlock (&cancel->pool->lock);

  if (destroy != NULL)
    destroy (job->user_data);
}

/* Workers */

static void
run_query (Worker *worker, Job *job)
{
  job->rows = weft_sqlite_connection_query (worker->connection, job->sql, job->params, &job->error);
}

static void
run_operation (Worker *worker, Job *job)
{
  if (weft_sqlite_connection_execute (worker->connection, job->sql, job->params, &job->error))
    {
      job->changes.changes = weft_sqlite_connection_get_changes (worker->connection);
      job->changes.last_insert_rowid = weft_sqlite_connection_get_last_insert_rowid (worker->connection);
    }
}

static void
run_interaction (Worker *worker, Job *job)
{
  WeftSqliteConnection *connection = worker->connection;

  job->result = weft_result_new ();
  if (!_weft_sqlite_connection_begin (connection, &job->error))
    return;
  if (!job->func (connection, job->result, job->user_data, &job->error))
    {
      if (job->error == NULL)
        g_set_error (&job->error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_FAILED,
                     _ ("An interaction on %s failed without saying why"), connection->path);
      _weft_sqlite_connection_rollback (connection);
      return;
    }
  _weft_sqlite_connection_commit (connection, &job->error);
}

/* Returns FALSE if the job moved to the writer's queue instead. */
static gboolean
run_job (Worker *worker, Job *job, const GError *open_error)
{
  WeftSqlitePool *self = worker->pool;

  g_mutex_lock (&self->lock);
  if (job->state == JOB_CANCELLED)
    {
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  job->state = JOB_RUNNING;
  job->worker = worker;
  g_atomic_int_set (&worker->cancel_current, 0);
  g_mutex_unlock (&self->lock);

  if (open_error != NULL)
    job->error = g_error_copy (open_error);
  else if (g_atomic_int_get (&self->stop))
    g_set_error (&job->error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("The database %s was closed before the work ran"),
                 self->path);
  else if (job->kind == JOB_QUERY && !worker->writer &&
           !_weft_sqlite_connection_is_read_only (worker->connection, job->sql))
    {
      /* INSERT … RETURNING and friends: queries that write go to the writer. */
      gboolean cancelled;

      g_mutex_lock (&self->lock);
      /* A cancel that came while the job was here still holds. */
      cancelled = g_atomic_int_get (&worker->cancel_current);
      job->state = cancelled ? JOB_CANCELLED : JOB_QUEUED;
      job->worker = NULL;
      g_atomic_int_set (&worker->cancel_current, 0);
      g_mutex_unlock (&self->lock);
      if (cancelled)
        return TRUE;
      write_queue_push (self, job_ref (job));
      return FALSE;
    }
  else
    switch (job->kind)
      {
      case JOB_QUERY:
        run_query (worker, job);
        break;
      case JOB_OPERATION:
        run_operation (worker, job);
        break;
      case JOB_INTERACTION:
        run_interaction (worker, job);
        break;
      case JOB_OPEN:
      case JOB_STOP:
      default:
        g_assert_not_reached ();
      }

  if (job->error != NULL && g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      g_atomic_int_get (&self->stop))
    {
      /* Interrupted by a close that ran out of time, not by its caller. */
      g_clear_error (&job->error);
      g_set_error (&job->error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("The database %s was closed while the work ran"),
                   self->path);
    }

  g_mutex_lock (&self->lock);
  job->state = JOB_FINISHED;
  job->worker = NULL;
  g_atomic_int_set (&worker->cancel_current, 0);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static WeftSqliteConnection *
open_writer (WeftSqlitePool *self, GError **error)
{
  WeftSqliteConnection *connection =
      _weft_sqlite_connection_open (self->path, FALSE, self->synchronous, self->busy_timeout_us, &self->stop, error);

  if (connection != NULL && !_weft_sqlite_connection_migrate (connection, self->migrations, error))
    g_clear_pointer (&connection, _weft_sqlite_connection_close);
  return connection;
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  WeftSqlitePool *self = worker->pool;
  g_autoptr (GError) open_error = NULL;
  WeftSqliteConnection *connection = NULL;

  if (worker->writer)
    {
      connection = open_writer (self, &open_error);
      if (connection != NULL)
        connection->cancel = &worker->cancel_current;
      g_mutex_lock (&self->lock);
      self->open_state = connection != NULL ? POOL_OPEN : POOL_FAILED;
      if (open_error != NULL)
        self->open_error = g_error_copy (open_error);
      worker->connection = connection;
      g_cond_broadcast (&self->opened_cond);
      g_mutex_unlock (&self->lock);

      if (open_error != NULL)
        worker->open_job->error = g_error_copy (open_error);
      job_finish (self, worker->open_job);
      g_clear_pointer (&worker->open_job, job_unref);
    }
  else
    {
      /* Readers start once the writer has set up WAL and the schema. */
      g_mutex_lock (&self->lock);
      while (self->open_state == POOL_OPENING)
        g_cond_wait (&self->opened_cond, &self->lock);
      if (self->open_error != NULL)
        open_error = g_error_copy (self->open_error);
      g_mutex_unlock (&self->lock);

      if (open_error == NULL)
        connection = _weft_sqlite_connection_open (self->path, TRUE, self->synchronous, self->busy_timeout_us,
                                                   &self->stop, &open_error);
      if (connection != NULL)
        connection->cancel = &worker->cancel_current;
      g_mutex_lock (&self->lock);
      worker->connection = connection;
      g_mutex_unlock (&self->lock);
    }

  for (;;)
    {
      Job *job = worker->writer ? JOB_OF_LINK (_weft_sqlite_queue_pop (&self->write_queue))
                                : g_async_queue_pop (worker->queue);

      if (job->kind == JOB_STOP)
        {
          job_unref (job);
          break;
        }
      /* Cancelled jobs go back too: their deferred is let go in the
       * reactor's thread, like every other. */
      if (run_job (worker, job, open_error))
        job_finish (self, job);
      job_unref (job);
    }

  g_mutex_lock (&self->lock);
  worker->connection = NULL;
  g_mutex_unlock (&self->lock);
  _weft_sqlite_connection_close (connection);
  return NULL;
}

static void
interrupt_all (WeftSqlitePool *self)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; self->workers != NULL && i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);
      if (worker->connection != NULL)
        sqlite3_interrupt (worker->connection->db);
    }
  g_mutex_unlock (&self->lock);
}

static void
push_stops (WeftSqlitePool *self)
{
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);

      if (worker->writer)
        write_queue_push (self, job_new (JOB_STOP));
      else
        g_async_queue_push (worker->queue, job_new (JOB_STOP));
    }
}

static void
join_workers (WeftSqlitePool *self)
{
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);
      g_clear_pointer (&worker->thread, g_thread_join);
    }
}

static void
worker_free (gpointer data)
{
  Worker *worker = data;

  g_assert (worker->thread == NULL);
  g_clear_pointer (&worker->open_job, job_unref);
  g_free (worker);
}

/* Jobs still queued after the workers stopped (work submitted between the
 * stop marks and the end) are failed, never silently dropped. */
static void
fail_leftover (WeftSqlitePool *self, Job *job)
{
  if (job->kind != JOB_STOP && job->state == JOB_QUEUED)
    {
      g_set_error (&job->error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("The database %s was closed before the work ran"),
                   self->path);
      job_finish (self, job);
    }
  job_unref (job);
}

/* Once the workers stopped. */
static void
fail_leftovers (WeftSqlitePool *self)
{
  WeftSqliteLink *link;
  Job *job;

  while ((link = _weft_sqlite_queue_try_pop (&self->write_queue)) != NULL)
    fail_leftover (self, JOB_OF_LINK (link));
  while (self->read_queue != NULL && (job = g_async_queue_try_pop (self->read_queue)) != NULL)
    fail_leftover (self, job);
}

/* GObject */

static void
weft_sqlite_pool_dispose (GObject *object)
{
  WeftSqlitePool *self = WEFT_SQLITE_POOL (object);

  if (self->trigger_id != 0)
    {
      weft_reactor_remove_system_event_trigger (self->reactor, self->trigger_id);
      self->trigger_id = 0;
    }
  if (self->started && !self->closing)
    {
      /* Dropped without weft_sqlite_pool_close(): stop at once, blocking. */
      self->closing = TRUE;
      g_atomic_int_set (&self->stop, 1);
      push_stops (self);
      interrupt_all (self);
      join_workers (self);
      fail_leftovers (self);
      _weft_sqlite_delivery_stop (self->delivery);
      /* Results and failures still due go on the reactor's next turn. */
      weft_reactor_call_soon (self->reactor, _weft_sqlite_delivery_pass_bounded,
                              _weft_sqlite_delivery_ref (self->delivery), _weft_sqlite_delivery_unref);
      self->closed = TRUE;
    }
  G_OBJECT_CLASS (weft_sqlite_pool_parent_class)->dispose (object);
}

static void
weft_sqlite_pool_finalize (GObject *object)
{
  WeftSqlitePool *self = WEFT_SQLITE_POOL (object);

  g_assert (self->joiner == NULL);
  g_clear_pointer (&self->workers, g_ptr_array_unref);
  if (self->started)
    _weft_sqlite_queue_clear (&self->write_queue);
  g_clear_pointer (&self->read_queue, g_async_queue_unref);
  g_clear_pointer (&self->migrations, g_ptr_array_unref);
  g_clear_pointer (&self->close_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->delivery, _weft_sqlite_delivery_unref);
  g_clear_error (&self->open_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->opened_cond);
  g_clear_object (&self->reactor);
  g_free (self->path);
  G_OBJECT_CLASS (weft_sqlite_pool_parent_class)->finalize (object);
}

static void
weft_sqlite_pool_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftSqlitePool *self = WEFT_SQLITE_POOL (object);

  switch (prop_id)
    {
    case PROP_REACTOR:
      g_value_set_object (value, self->reactor);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_sqlite_pool_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftSqlitePool *self = WEFT_SQLITE_POOL (object);

  switch (prop_id)
    {
    case PROP_REACTOR:
      self->reactor = g_value_dup_object (value);
      break;
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_sqlite_pool_class_init (WeftSqlitePoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_sqlite_pool_dispose;
  object_class->finalize = weft_sqlite_pool_finalize;
  object_class->get_property = weft_sqlite_pool_get_property;
  object_class->set_property = weft_sqlite_pool_set_property;

  /**
   * WeftSqlitePool:reactor:
   *
   * The reactor whose thread receives the results.
   */
  properties[PROP_REACTOR] = g_param_spec_object ("reactor", NULL, NULL, WEFT_TYPE_REACTOR,
                                                  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftSqlitePool:path:
   *
   * The database file (created if missing), or `:memory:`-style URIs are
   * not supported: the readers need a file they can share.
   */
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_sqlite_pool_init (WeftSqlitePool *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->opened_cond);
  self->n_readers = DEFAULT_N_READERS;
  self->synchronous = WEFT_SQLITE_SYNCHRONOUS_NORMAL;
  self->busy_timeout_us = DEFAULT_BUSY_TIMEOUT_US;
  self->close_timeout_us = DEFAULT_CLOSE_TIMEOUT_US;
  self->migrations = g_ptr_array_new_with_free_func (_weft_sqlite_migration_free);
  self->close_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * weft_sqlite_pool_new:
 * @reactor: the reactor whose thread receives the results
 * @path: the database file, created if it does not exist
 *
 * Makes a pool for @path. Nothing is opened until weft_sqlite_pool_open().
 *
 * Returns: (transfer full): a new pool
 */
WeftSqlitePool *
weft_sqlite_pool_new (WeftReactor *reactor, const char *path)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (WEFT_SQLITE_TYPE_POOL, "reactor", reactor, "path", path, NULL);
}

/**
 * weft_sqlite_pool_get_reactor:
 * @self: a pool
 *
 * Returns: (transfer none): the pool's reactor
 */
WeftReactor *
weft_sqlite_pool_get_reactor (WeftSqlitePool *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), NULL);

  return self->reactor;
}

/**
 * weft_sqlite_pool_get_path:
 * @self: a pool
 *
 * Returns: (transfer none): the database file's path
 */
const char *
weft_sqlite_pool_get_path (WeftSqlitePool *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), NULL);

  return self->path;
}

/**
 * weft_sqlite_pool_is_open:
 * @self: a pool
 *
 * Returns: whether the database was opened (and migrated) and the pool is
 *   not closing
 */
gboolean
weft_sqlite_pool_is_open (WeftSqlitePool *self)
{
  gboolean open;

  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), FALSE);

  g_mutex_lock (&self->lock);
  open = self->open_state == POOL_OPEN;
  g_mutex_unlock (&self->lock);
  return open && !self->closing;
}

#define RETURN_IF_STARTED(self)                                                                                     \
  G_STMT_START                                                                                                      \
  {                                                                                                                 \
    if ((self)->started)                                                                                            \
      {                                                                                                             \
        g_critical ("%s: the pool for %s is already open; settings apply before opening", G_STRFUNC, (self)->path); \
        return;                                                                                                     \
      }                                                                                                             \
  }                                                                                                                 \
  G_STMT_END

/**
 * weft_sqlite_pool_set_n_readers:
 * @self: a pool
 * @n_readers: how many reader connections (and threads) to open; 0 sends
 *   queries to the writer
 *
 * Sets the number of readers (2 by default), before opening.
 */
void
weft_sqlite_pool_set_n_readers (WeftSqlitePool *self, guint n_readers)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (n_readers <= 64);
  RETURN_IF_STARTED (self);

  self->n_readers = n_readers;
}

/**
 * weft_sqlite_pool_get_n_readers:
 * @self: a pool
 *
 * Returns: the number of reader connections
 */
guint
weft_sqlite_pool_get_n_readers (WeftSqlitePool *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), 0);

  return self->n_readers;
}

/**
 * weft_sqlite_pool_set_synchronous:
 * @self: a pool
 * @synchronous: how often SQLite waits for the disk
 *
 * Sets `PRAGMA synchronous` (%WEFT_SQLITE_SYNCHRONOUS_NORMAL by default),
 * before opening.
 */
void
weft_sqlite_pool_set_synchronous (WeftSqlitePool *self, WeftSqliteSynchronous synchronous)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (synchronous <= WEFT_SQLITE_SYNCHRONOUS_FULL);
  RETURN_IF_STARTED (self);

  self->synchronous = synchronous;
}

/**
 * weft_sqlite_pool_get_synchronous:
 * @self: a pool
 *
 * Returns: the `PRAGMA synchronous` setting
 */
WeftSqliteSynchronous
weft_sqlite_pool_get_synchronous (WeftSqlitePool *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), WEFT_SQLITE_SYNCHRONOUS_NORMAL);

  return self->synchronous;
}

/**
 * weft_sqlite_pool_set_busy_timeout:
 * @self: a pool
 * @timeout_us: how long to keep retrying, in microseconds, while another
 *   process holds the database locked
 *
 * While the database is locked, work is retried with a growing back-off (1,
 * 2, 4 … ms, at most 50 ms apart) for at most @timeout_us (5 s by default),
 * then fails with %WEFT_SQLITE_ERROR_BUSY. Set before opening.
 */
void
weft_sqlite_pool_set_busy_timeout (WeftSqlitePool *self, gint64 timeout_us)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (timeout_us >= 0);
  RETURN_IF_STARTED (self);

  self->busy_timeout_us = timeout_us;
}

/**
 * weft_sqlite_pool_get_busy_timeout:
 * @self: a pool
 *
 * Returns: the busy timeout, in microseconds
 */
gint64
weft_sqlite_pool_get_busy_timeout (WeftSqlitePool *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), 0);

  return self->busy_timeout_us;
}

/**
 * weft_sqlite_pool_set_close_timeout:
 * @self: a pool
 * @timeout_us: how long closing lets work in flight finish, in microseconds
 *
 * When closing takes longer than this (5 s by default), running statements
 * are interrupted and queued work fails with `G_IO_ERROR_CLOSED`.
 */
void
weft_sqlite_pool_set_close_timeout (WeftSqlitePool *self, gint64 timeout_us)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (timeout_us >= 0);

  self->close_timeout_us = timeout_us;
}

/**
 * weft_sqlite_pool_get_close_timeout:
 * @self: a pool
 *
 * Returns: the close timeout, in microseconds
 */
gint64
weft_sqlite_pool_get_close_timeout (WeftSqlitePool *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), 0);

  return self->close_timeout_us;
}

/**
 * weft_sqlite_pool_add_migration:
 * @self: a pool
 * @sql: SQL statements for the next schema version
 *
 * Adds a schema migration step. Step N (counting from 1, in the order
 * added) runs when the database's `PRAGMA user_version` is below N, in a
 * transaction of its own that also sets `user_version` to N. Steps run on
 * opening, before any other work. Never change or remove a step once
 * released; add a new one.
 */
void
weft_sqlite_pool_add_migration (WeftSqlitePool *self, const char *sql)
{
  WeftSqliteMigration *migration;

  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (sql != NULL);
  RETURN_IF_STARTED (self);

  migration = g_new0 (WeftSqliteMigration, 1);
  migration->sql = g_strdup (sql);
  g_ptr_array_add (self->migrations, migration);
}

/**
 * weft_sqlite_pool_add_migration_func:
 * @self: a pool
 * @func: (scope notified): runs the step on the writer thread, inside its
 *   transaction
 * @user_data: (closure): data for @func
 * @destroy: (nullable): frees @user_data with the pool
 *
 * Like weft_sqlite_pool_add_migration(), for a step that needs code (moving
 * data between columns, for example).
 */
void
weft_sqlite_pool_add_migration_func (WeftSqlitePool *self,
                                     WeftSqliteInteractionFunc func,
                                     gpointer user_data,
                                     GDestroyNotify destroy)
{
  WeftSqliteMigration *migration;

  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (func != NULL);
  RETURN_IF_STARTED (self);

  migration = g_new0 (WeftSqliteMigration, 1);
  migration->func = func;
  migration->user_data = user_data;
  migration->destroy = destroy;
  g_ptr_array_add (self->migrations, migration);
}

static WeftDeferred *
close_on_shutdown (WeftReactor *reactor, gpointer data)
{
  return weft_sqlite_pool_close (WEFT_SQLITE_POOL (data));
}

static Worker *
start_worker (WeftSqlitePool *self, gboolean writer, GAsyncQueue *queue)
{
  Worker *worker = g_new0 (Worker, 1);

  worker->pool = self;
  worker->writer = writer;
  worker->queue = queue;
  g_ptr_array_add (self->workers, worker);
  return worker;
}

/**
 * weft_sqlite_pool_open:
 * @self: a pool
 *
 * Starts the pool's threads, which open the database (in WAL mode) and
 * apply the migrations. Work submitted from now on waits for that.
 *
 * Returns: (transfer full): a deferred that fires with an empty result once
 *   the database is open and migrated, or with the error that stopped it
 */
WeftDeferred *
weft_sqlite_pool_open (WeftSqlitePool *self)
{
  WeftDeferred *deferred;
  Job *open_job;
  GError *error = NULL;

  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), NULL);

  if (self->started)
    return weft_deferred_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                            _ ("The database %s is already open in this pool"), self->path));

  if (!_weft_sqlite_queue_init (&self->write_queue, TRUE, &error))
    return weft_deferred_fail (g_steal_pointer (&error));
  self->delivery = _weft_sqlite_delivery_new (self->reactor, job_deliver_link, job_unref_link, &error);
  if (self->delivery == NULL)
    {
      _weft_sqlite_queue_clear (&self->write_queue);
      return weft_deferred_fail (g_steal_pointer (&error));
    }
  self->started = TRUE;
  self->open_state = POOL_OPENING;
  self->read_queue = self->n_readers > 0 ? g_async_queue_new () : NULL;
  self->workers = g_ptr_array_new_with_free_func (worker_free);

  deferred = weft_deferred_new ();
  weft_deferred_set_description (deferred, "weft_sqlite_pool_open");
  open_job = job_new (JOB_OPEN);
  open_job->deferred = g_object_ref (deferred);

  start_worker (self, TRUE, NULL)->open_job = open_job;
  for (guint i = 0; i < self->n_readers; i++)
    start_worker (self, FALSE, self->read_queue);
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);
      g_autofree char *name = worker->writer ? g_strdup ("weft-sqlite-w") : g_strdup_printf ("weft-sqlite-r%u", i);
      worker->thread = g_thread_new (name, worker_main, worker);
    }

  self->trigger_id = weft_reactor_add_system_event_trigger (self->reactor, WEFT_TRIGGER_DURING,
                                                            WEFT_SYSTEM_EVENT_SHUTDOWN, close_on_shutdown, self, NULL);
  return deferred;
}

/* Closing */

static void
close_finished (gpointer data)
{
  WeftSqlitePool *self = data;
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->close_waiters);

  g_clear_pointer (&self->joiner, g_thread_join);
  if (self->close_timer != NULL)
    {
      weft_delayed_call_cancel (self->close_timer);
      g_clear_pointer (&self->close_timer, weft_delayed_call_unref);
    }
  fail_leftovers (self);
  self->closed = TRUE;
  /* Every result, and every failure of work that never ran, before the
   * close's own deferreds. */
  _weft_sqlite_delivery_pass (self->delivery, FALSE);
  _weft_sqlite_delivery_stop (self->delivery);
  self->close_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    weft_deferred_callback_none (g_ptr_array_index (waiters, i));
  g_object_unref (self);
}

static gpointer
joiner_main (gpointer data)
{
  WeftSqlitePool *self = data;

  join_workers (self);
  weft_reactor_call_from_thread (self->reactor, close_finished, self, NULL);
  return NULL;
}

static void
close_timed_out (gpointer data)
{
  WeftSqlitePool *self = data;

  g_clear_pointer (&self->close_timer, weft_delayed_call_unref);
  g_message ("Closing %s: work still running after %.1f s; interrupting it", self->path,
             self->close_timeout_us / (double) G_USEC_PER_SEC);
  g_atomic_int_set (&self->stop, 1);
  interrupt_all (self);
}

/**
 * weft_sqlite_pool_close:
 * @self: a pool
 *
 * Lets the work already submitted finish, then closes the connections and
 * stops the threads, without blocking the reactor's thread. Work submitted
 * afterwards fails with `G_IO_ERROR_CLOSED`. If work is still running after
 * the close timeout, its statements are interrupted and what is still
 * queued fails with `G_IO_ERROR_CLOSED` (an interaction's own code cannot
 * be interrupted: the close waits for it to return).
 *
 * The reactor's shutdown does this by itself.
 *
 * Returns: (transfer full): a deferred that fires with an empty result once
 *   the pool is closed
 */
WeftDeferred *
weft_sqlite_pool_close (WeftSqlitePool *self)
{
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), NULL);

  if (!self->started || self->closed)
    return weft_deferred_succeed_none ();

  deferred = weft_deferred_new ();
  weft_deferred_set_description (deferred, "weft_sqlite_pool_close");
  g_ptr_array_add (self->close_waiters, g_object_ref (deferred));
  if (self->closing)
    return deferred;

  self->closing = TRUE;
  if (self->trigger_id != 0)
    {
      weft_reactor_remove_system_event_trigger (self->reactor, self->trigger_id);
      self->trigger_id = 0;
    }
  push_stops (self);
  self->close_timer = weft_reactor_call_later (self->reactor, self->close_timeout_us, close_timed_out, self, NULL);
  weft_delayed_call_ref (self->close_timer);
  self->joiner = g_thread_new ("weft-sqlite-close", joiner_main, g_object_ref (self));
  return deferred;
}

/* Work */

static WeftDeferred *
submit (WeftSqlitePool *self, Job *job, const char *description)
{
  CancelData *cancel = g_new0 (CancelData, 1);
  WeftDeferred *deferred;

  cancel->pool = g_object_ref (self);
  cancel->job = job_ref (job);
  deferred = weft_deferred_new_with_canceller (job_cancel, cancel, cancel_data_free);
  weft_deferred_set_description (deferred, description);
  job->deferred = g_object_ref (deferred);

  if (!self->started || self->closing)
    {
      GDestroyNotify destroy = g_steal_pointer (&job->destroy);

      weft_deferred_errback_new (deferred, G_IO_ERROR, G_IO_ERROR_CLOSED,
                                 self->started ? _ ("The database %s is closing") : _ ("The database %s is not open"),
                                 self->path);
      if (destroy != NULL)
        destroy (job->user_data);
      job_unref (job);
      return deferred;
    }

  if (job->kind == JOB_QUERY && self->read_queue != NULL)
    g_async_queue_push (self->read_queue, job);
  else
    write_queue_push (self, job);
  return deferred;
}

static Job *
statement_job_new (JobKind kind, const char *sql, GVariant *params)
{
  Job *job = job_new (kind);

  job->sql = g_strdup (sql);
  job->params = params != NULL ? g_variant_ref_sink (params) : NULL;
  return job;
}

/**
 * weft_sqlite_pool_run_query:
 * @self: a pool
 * @sql: one SQL statement with `?` placeholders
 * @params: (nullable): a tuple of values for the placeholders (see
 *   [struct@WeftSqlite.Connection] for the types); a floating reference
 *   is sunk
 *
 * Runs a query on a reader connection and collects its rows. A statement
 * that writes (`INSERT … RETURNING`) runs on the writer instead.
 *
 * Rows come as a `GListModel` of [class@WeftSqlite.Row] so that a GTK list
 * view can show them as they are.
 *
 * Cancelling the deferred before the query starts means it never runs;
 * once it runs, it is interrupted.
 *
 * Returns: (transfer full): a deferred that fires with the `GListModel`
 *   (`weft_result_get_object()`), or an error
 */
WeftDeferred *
weft_sqlite_pool_run_query (WeftSqlitePool *self, const char *sql, GVariant *params)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  return submit (self, statement_job_new (JOB_QUERY, sql, params), "weft_sqlite_pool_run_query");
}

/**
 * weft_sqlite_pool_run_operation:
 * @self: a pool
 * @sql: one SQL statement with `?` placeholders
 * @params: (nullable): a tuple of values for the placeholders; a floating
 *   reference is sunk
 *
 * Runs a statement that changes the database on the writer connection, in
 * a transaction of its own. Writes run one at a time, in the order they
 * were submitted.
 *
 * Returns: (transfer full): a deferred that fires with a boxed
 *   [struct@WeftSqlite.Changes] (`weft_result_get_boxed()`), or an error
 */
WeftDeferred *
weft_sqlite_pool_run_operation (WeftSqlitePool *self, const char *sql, GVariant *params)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  return submit (self, statement_job_new (JOB_OPERATION, sql, params), "weft_sqlite_pool_run_operation");
}

/**
 * weft_sqlite_pool_run_interaction:
 * @self: a pool
 * @func: (scope notified): the work, run on the writer thread inside
 *   `BEGIN IMMEDIATE` … `COMMIT`
 * @user_data: (closure): data for @func
 * @destroy: (nullable): frees @user_data in the reactor's thread once the
 *   deferred fired (or at once if the work is cancelled before it runs)
 *
 * Runs @func in a transaction on the writer connection: it commits when
 * @func returns %TRUE and rolls back when it returns %FALSE (or when the
 * commit fails). Use it for several statements that belong together, and
 * for batches: one transaction for many rows is much faster than one each.
 *
 * Returns: (transfer full): a deferred that fires with the value @func put
 *   in its result (empty if none), or with its error
 */
WeftDeferred *
weft_sqlite_pool_run_interaction (WeftSqlitePool *self,
                                  WeftSqliteInteractionFunc func,
                                  gpointer user_data,
                                  GDestroyNotify destroy)
{
  Job *job;

  g_return_val_if_fail (WEFT_SQLITE_IS_POOL (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  job = job_new (JOB_INTERACTION);
  job->func = func;
  job->user_data = user_data;
  job->destroy = destroy;
  return submit (self, job, "weft_sqlite_pool_run_interaction");
}
