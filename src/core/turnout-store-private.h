/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int         version;
  const char *summary;
  const char *sql;
} TurnoutMigration;

const TurnoutMigration *turnout_store_migrations (guint *n_migrations);
const char * const     *turnout_store_tables     (void);

G_END_DECLS
