/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-test"

#include "config.h"

#include <stdlib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "turnout-test-utils.h"

/*
 * Every test program starts from a private temporary folder: the database
 * ($TURNOUT_DB), the XDG data, config, cache and runtime folders all point
 * into it, so a test never reads or writes the user's files, and the folder
 * is removed when the program exits.
 */

static char *tmpdir;

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
        remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

static void
cleanup_tmpdir (void)
{
  g_autoptr(GFile) dir = NULL;

  if (tmpdir == NULL || g_getenv ("TURNOUT_TEST_KEEP") != NULL)
    return;
  dir = g_file_new_for_path (tmpdir);
  remove_tree (dir);
  g_clear_pointer (&tmpdir, g_free);
}

static void
set_private_dir (const char *variable,
                 const char *name)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);

  g_mkdir_with_parents (path, 0700);
  g_setenv (variable, path, TRUE);
}

/**
 * turnout_test_init:
 *
 * Call first in main(), before g_test_init() or gtk_test_init().
 */
void
turnout_test_init (int    *argc,
                   char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  tmpdir = g_dir_make_tmp ("turnout-test-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (cleanup_tmpdir);

  set_private_dir ("XDG_DATA_HOME", "data");
  set_private_dir ("XDG_CONFIG_HOME", "config");
  set_private_dir ("XDG_CACHE_HOME", "cache");
  set_private_dir ("XDG_STATE_HOME", "state");
  db = g_build_filename (tmpdir, "data", "turnout", "turnout.db", NULL);
  g_setenv ("TURNOUT_DB", db, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  /* Secrets come from the keyring in these tests, never from the caller. */
  g_unsetenv ("TWILIO_ACCOUNT_SID");
  g_unsetenv ("TWILIO_AUTH_TOKEN");
  g_unsetenv ("TWILIO_API_KEY");
  g_unsetenv ("TWILIO_API_SECRET");
  g_unsetenv ("TURNOUT_SMTP_PASSWORD");
}

const char *
turnout_test_get_tmpdir (void)
{
  return tmpdir;
}

char *
turnout_test_tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

GBytes *
turnout_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}
