/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void        turnout_test_init        (int        *argc,
                                      char     ***argv);
const char *turnout_test_get_tmpdir  (void);
char       *turnout_test_tmp_path    (const char *name);
GBytes     *turnout_test_read_file   (const char *path);

G_END_DECLS

G_BEGIN_DECLS

const char *turnout_test_bus_start     (void);
void        turnout_test_keyring_start (void);
void        turnout_test_bus_stop      (void);

G_END_DECLS

G_BEGIN_DECLS

void          turnout_test_finalize_object (gpointer       object);
void          turnout_test_result_cb       (GObject       *object,
                                            GAsyncResult  *result,
                                            gpointer       user_data);
GAsyncResult *turnout_test_wait_result     (GAsyncResult **slot);

G_END_DECLS
