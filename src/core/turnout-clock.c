/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-clock"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "turnout-clock.h"

/*
 * TurnoutClock is the one place core code asks for "now". The wall clock is
 * the default; tests and `turnout-cli --now` replace it with a clock that
 * starts at a chosen instant (and runs on in real time) or one that stands
 * still until advanced. Workers read it from other threads, so the state is
 * kept in atomics rather than behind the GObject.
 */
struct _TurnoutClock
{
  GObject parent_instance;

  /* now = (frozen ? 0 : real time) + offset, in microseconds. */
  gint64  offset;       /* atomic */
  int     frozen;       /* atomic */
};

G_DEFINE_FINAL_TYPE (TurnoutClock, turnout_clock, G_TYPE_OBJECT)

/* GLib 2.74 has no g_date_time_to_unix_usec(). */
static gint64
datetime_to_micros (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static TurnoutClock *default_clock; /* owned, guarded by default_lock */
G_LOCK_DEFINE_STATIC (default_lock);

static void
turnout_clock_class_init (TurnoutClockClass *klass)
{
}

static void
turnout_clock_init (TurnoutClock *self)
{
}

/**
 * turnout_clock_new:
 *
 * Returns: (transfer full): a clock that follows the wall clock.
 */
TurnoutClock *
turnout_clock_new (void)
{
  return g_object_new (TURNOUT_TYPE_CLOCK, NULL);
}

/**
 * turnout_clock_new_starting:
 * @start: the instant the clock reads now
 *
 * Returns: (transfer full): a clock that reads @start now and runs on in
 *   real time from there.
 */
TurnoutClock *
turnout_clock_new_starting (GDateTime *start)
{
  TurnoutClock *self = turnout_clock_new ();

  g_return_val_if_fail (start != NULL, self);

  self->offset = datetime_to_micros (start) - g_get_real_time ();
  return self;
}

/**
 * turnout_clock_new_frozen:
 * @instant: the instant the clock reads until advanced
 *
 * Returns: (transfer full): a clock that stands still; see
 *   turnout_clock_advance().
 */
TurnoutClock *
turnout_clock_new_frozen (GDateTime *instant)
{
  TurnoutClock *self = turnout_clock_new ();

  g_return_val_if_fail (instant != NULL, self);

  self->offset = datetime_to_micros (instant);
  self->frozen = TRUE;
  return self;
}

/**
 * turnout_clock_get_default:
 *
 * Returns: (transfer none): the process-wide clock; thread-safe.
 */
TurnoutClock *
turnout_clock_get_default (void)
{
  TurnoutClock *clock;

  G_LOCK (default_lock);
  if (default_clock == NULL)
    default_clock = turnout_clock_new ();
  clock = default_clock;
  G_UNLOCK (default_lock);

  return clock;
}

/**
 * turnout_clock_set_default:
 * @clock: (nullable): the new process-wide clock, or %NULL for the wall clock
 *
 * Replaces the clock. Call it before any worker starts: a borrowed pointer
 * from turnout_clock_get_default() stays valid only while it is the default.
 */
void
turnout_clock_set_default (TurnoutClock *clock)
{
  G_LOCK (default_lock);
  g_set_object (&default_clock, clock);
  G_UNLOCK (default_lock);
}

gint64
turnout_clock_get_micros (TurnoutClock *self)
{
  gint64 offset;

  g_return_val_if_fail (TURNOUT_IS_CLOCK (self), 0);

  offset = __atomic_load_n (&self->offset, __ATOMIC_SEQ_CST);
  if (g_atomic_int_get (&self->frozen))
    return offset;
  return g_get_real_time () + offset;
}

gint64
turnout_clock_get_unix (TurnoutClock *self)
{
  return turnout_clock_get_micros (self) / G_USEC_PER_SEC;
}

/**
 * turnout_clock_dup_now:
 *
 * Returns: (transfer full): now, in UTC.
 */
GDateTime *
turnout_clock_dup_now (TurnoutClock *self)
{
  gint64 micros = turnout_clock_get_micros (self);
  g_autoptr(GDateTime) whole = g_date_time_new_from_unix_utc (micros / G_USEC_PER_SEC);

  return g_date_time_add (whole, micros % G_USEC_PER_SEC);
}

gboolean
turnout_clock_is_frozen (TurnoutClock *self)
{
  g_return_val_if_fail (TURNOUT_IS_CLOCK (self), FALSE);

  return g_atomic_int_get (&self->frozen);
}

/**
 * turnout_clock_advance:
 * @span: how far to move the clock; may be negative
 *
 * Moves the clock; works for running and frozen clocks alike.
 */
void
turnout_clock_advance (TurnoutClock *self,
                       GTimeSpan     span)
{
  g_return_if_fail (TURNOUT_IS_CLOCK (self));

  __atomic_add_fetch (&self->offset, span, __ATOMIC_SEQ_CST);
}

/**
 * turnout_parse_instant:
 * @text: an ISO 8601 date and time, with a zone (`2026-05-01T18:00:00Z`,
 *   `2026-05-01T20:00+02:00`) or without one (then local time)
 *
 * Returns: (transfer full): the instant, or %NULL with @error saying what
 *   was expected.
 */
GDateTime *
turnout_parse_instant (const char  *text,
                       GError     **error)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  GDateTime *parsed;

  g_return_val_if_fail (text != NULL, NULL);

  parsed = g_date_time_new_from_iso8601 (text, local);
  if (parsed == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a date and time; expected ISO 8601 such as 2026-05-01T18:00:00Z"),
                 text);
  return parsed;
}
