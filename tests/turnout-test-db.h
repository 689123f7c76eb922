/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "turnout-store.h"

G_BEGIN_DECLS

void    turnout_test_exec_sql   (TurnoutStore *store,
                                 const char   *sql);
char   *turnout_test_query_text (TurnoutStore *store,
                                 const char   *sql);
gint64  turnout_test_query_int  (TurnoutStore *store,
                                 const char   *sql);

G_END_DECLS
